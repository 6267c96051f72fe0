/* SPDX-License-Identifier: MIT */
/*
 * Package fields from header tags: name and version, dependencies, the file
 * list (dirnames + basenames + dirindexes and the parallel per-file arrays)
 * and scriptlets. Parallel arrays are only used when their counts agree.
 */
#include "rpm/rpm_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_SOURCEPACKAGE 1106
#define TAG_FILECOLORS 1140

static const char *str_or(const struct alu_hdr *h, uint32_t tag, const char *dflt)
{
	const char *s = alu_hdr_str(h, tag);

	return s ? s : dflt;
}

int alu_hdr_info(const struct alu_hdr *h, struct alu_pkginfo *out)
{
	uint32_t v32;

	memset(out, 0, sizeof(*out));
	out->name = alu_hdr_str(h, ALU_TAG_NAME);
	out->version = alu_hdr_str(h, ALU_TAG_VERSION);
	out->release = alu_hdr_str(h, ALU_TAG_RELEASE);
	/* rpm's headerIsSource() is "no SOURCERPM"; gpg-pubkey headers in an
	 * rpmdb have neither SOURCERPM nor ARCH and are not source packages. */
	out->is_source = hdr_find(h, TAG_SOURCEPACKAGE) ||
		(!hdr_find(h, ALU_TAG_SOURCERPM) && hdr_find(h, ALU_TAG_ARCH));
	out->arch = out->is_source ? "src" : str_or(h, ALU_TAG_ARCH, "");
	out->has_epoch = alu_hdr_u32(h, ALU_TAG_EPOCH, &out->epoch) == 0;
	if (!out->has_epoch)
		out->epoch = 0;
	out->summary = str_or(h, ALU_TAG_SUMMARY, "");
	out->description = str_or(h, ALU_TAG_DESCRIPTION, "");
	out->license = str_or(h, ALU_TAG_LICENSE, "");
	out->sourcerpm = str_or(h, ALU_TAG_SOURCERPM, "");
	out->url = str_or(h, ALU_TAG_URL, "");
	out->group = str_or(h, ALU_TAG_GROUP, "");
	out->packager = str_or(h, ALU_TAG_PACKAGER, "");
	out->vendor = str_or(h, ALU_TAG_VENDOR, "");
	if (alu_hdr_u64(h, ALU_TAG_LONGSIZE, &out->size) && alu_hdr_u64(h, ALU_TAG_SIZE, &out->size))
		out->size = 0;
	if (alu_hdr_u32(h, ALU_TAG_BUILDTIME, &v32) == 0)
		out->buildtime = v32;
	out->payload_format = str_or(h, ALU_TAG_PAYLOADFORMAT, "cpio");
	out->payload_compressor = str_or(h, ALU_TAG_PAYLOADCOMPRESSOR, "");
	if (!out->name || !out->version || !out->release) {
		if (!out->name)
			out->name = "";
		if (!out->version)
			out->version = "";
		if (!out->release)
			out->release = "";
		return -ALUE_CORRUPT;
	}
	return 0;
}

char *alu_hdr_nevra(const struct alu_hdr *h, char *buf, size_t n)
{
	struct alu_pkginfo p;
	char ep[16] = "";

	if (n == 0)
		return buf;
	alu_hdr_info(h, &p);
	if (p.epoch)
		snprintf(ep, sizeof(ep), "%u:", p.epoch);
	snprintf(buf, n, "%s-%s%s-%s%s%s", p.name, ep, p.version, p.release, p.arch[0] ? "." : "",
		 p.arch);
	return buf;
}

int alu_dep_is_rich(const struct alu_dep *d)
{
	return d->name[0] == '(';
}

int alu_hdr_deps(const struct alu_hdr *h, enum alu_deptype t, struct alu_dep **out, size_t *count)
{
	static const uint32_t tags[ALU_DEPTYPE_N][3] = {
		[ALU_REQUIRES] = { ALU_TAG_REQUIRENAME, ALU_TAG_REQUIREFLAGS, ALU_TAG_REQUIREVERSION },
		[ALU_PROVIDES] = { ALU_TAG_PROVIDENAME, ALU_TAG_PROVIDEFLAGS, ALU_TAG_PROVIDEVERSION },
		[ALU_CONFLICTS] = { ALU_TAG_CONFLICTNAME, ALU_TAG_CONFLICTFLAGS, ALU_TAG_CONFLICTVERSION },
		[ALU_OBSOLETES] = { ALU_TAG_OBSOLETENAME, ALU_TAG_OBSOLETEFLAGS, ALU_TAG_OBSOLETEVERSION },
		[ALU_RECOMMENDS] = { ALU_TAG_RECOMMENDNAME, ALU_TAG_RECOMMENDFLAGS, ALU_TAG_RECOMMENDVERSION },
		[ALU_SUGGESTS] = { ALU_TAG_SUGGESTNAME, ALU_TAG_SUGGESTFLAGS, ALU_TAG_SUGGESTVERSION },
		[ALU_SUPPLEMENTS] = { ALU_TAG_SUPPLEMENTNAME, ALU_TAG_SUPPLEMENTFLAGS, ALU_TAG_SUPPLEMENTVERSION },
		[ALU_ENHANCES] = { ALU_TAG_ENHANCENAME, ALU_TAG_ENHANCEFLAGS, ALU_TAG_ENHANCEVERSION },
	};
	const char *const *names, *const *vers;
	const uint32_t *flags;
	size_t n, nf, nv;
	struct alu_dep *d;

	*out = NULL;
	*count = 0;
	if ((unsigned)t >= ALU_DEPTYPE_N)
		return -EINVAL;
	if (!hdr_find(h, tags[t][0]))
		return 0;
	/* A tag present but unreadable is of the wrong type (or out of memory). */
	names = alu_hdr_strv(h, tags[t][0], &n);
	flags = alu_hdr_u32v(h, tags[t][1], &nf);
	vers = alu_hdr_strv(h, tags[t][2], &nv);
	if (!names || (!flags && hdr_find(h, tags[t][1])) || (!vers && hdr_find(h, tags[t][2])) ||
	    (flags && nf != n) || (vers && nv != n))
		return -ALUE_CORRUPT;
	d = calloc(n, sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		d[i].name = names[i];
		d[i].flags = flags ? flags[i] : 0;
		d[i].evr = vers ? vers[i] : "";
	}
	*out = d;
	*count = n;
	return 0;
}

size_t alu_hdr_nfiles(const struct alu_hdr *h)
{
	size_t n;

	if (alu_hdr_strv(h, ALU_TAG_BASENAMES, &n) || alu_hdr_strv(h, TAG_OLDFILENAMES, &n))
		return n;
	return 0;
}

/* Element @p i of a per-file string array, @p dflt when the tag is absent. */
static int file_str(const struct alu_hdr *h, uint32_t tag, size_t i, size_t n, const char *dflt,
		    const char **out)
{
	size_t c;
	const char *const *v = alu_hdr_strv(h, tag, &c);

	*out = dflt;
	if (!v)
		return 0;
	if (c != n)
		return -ALUE_CORRUPT;
	*out = v[i];
	return 0;
}

static int file_int(const struct alu_hdr *h, uint32_t tag, size_t i, size_t n, uint64_t *out)
{
	const struct hdr_ent *x = hdr_find(h, tag);

	*out = 0;
	if (!x)
		return 0;
	if (x->count != n)
		return -ALUE_CORRUPT;
	return alu_hdr_u64_at(h, tag, i, out) ? -ALUE_CORRUPT : 0;
}

static int file_path(const struct alu_hdr *h, size_t i, size_t n, char *path, size_t size)
{
	const char *const *base, *const *dirs;
	const uint32_t *idx;
	size_t nb, nd, ni;
	int len;

	base = alu_hdr_strv(h, ALU_TAG_BASENAMES, &nb);
	if (!base) {
		/* Pre-4.0 packages list whole paths. */
		base = alu_hdr_strv(h, TAG_OLDFILENAMES, &nb);
		if (!base || nb != n)
			return -ALUE_CORRUPT;
		len = snprintf(path, size, "%s", base[i]);
		return len < 0 || (size_t)len >= size ? -ALUE_CORRUPT : 0;
	}
	dirs = alu_hdr_strv(h, ALU_TAG_DIRNAMES, &nd);
	idx = alu_hdr_u32v(h, ALU_TAG_DIRINDEXES, &ni);
	if (!dirs || !idx || ni != nb || nb != n || idx[i] >= nd)
		return -ALUE_CORRUPT;
	len = snprintf(path, size, "%s%s", dirs[idx[i]], base[i]);
	return len < 0 || (size_t)len >= size ? -ALUE_CORRUPT : 0;
}

int alu_hdr_file(const struct alu_hdr *h, size_t i, struct alu_file *out)
{
	size_t n = alu_hdr_nfiles(h);
	uint64_t v;
	int r;

	memset(out, 0, sizeof(*out));
	if (i >= n)
		return -ALUE_NOTFOUND;
	r = file_path(h, i, n, out->path, sizeof(out->path));
	if (!r)
		r = file_int(h, ALU_TAG_FILEMODES, i, n, &v);
	out->mode = (uint32_t)v;
	if (!r && hdr_find(h, ALU_TAG_LONGFILESIZES))
		r = file_int(h, ALU_TAG_LONGFILESIZES, i, n, &out->size);
	else if (!r)
		r = file_int(h, ALU_TAG_FILESIZES, i, n, &out->size);
	if (!r)
		r = file_int(h, ALU_TAG_FILEMTIMES, i, n, &v);
	out->mtime = (uint32_t)v;
	if (!r)
		r = file_int(h, ALU_TAG_FILEFLAGS, i, n, &v);
	out->flags = (uint32_t)v;
	if (!r)
		r = file_int(h, ALU_TAG_FILEINODES, i, n, &v);
	out->inode = (uint32_t)v;
	/* optional for what reads them (devices, multilib conflicts): a count
	 * that does not match leaves them 0 rather than refusing the header */
	if (!r && file_int(h, ALU_TAG_FILERDEVS, i, n, &v) == 0)
		out->rdev = (uint32_t)v;
	if (!r && file_int(h, TAG_FILECOLORS, i, n, &v) == 0)
		out->color = (uint32_t)v;
	if (!r)
		r = file_str(h, ALU_TAG_FILEUSERNAME, i, n, "root", &out->user);
	if (!r)
		r = file_str(h, ALU_TAG_FILEGROUPNAME, i, n, "root", &out->group);
	if (!r)
		r = file_str(h, ALU_TAG_FILELINKTOS, i, n, "", &out->linkto);
	if (!r)
		r = file_str(h, ALU_TAG_FILEDIGESTS, i, n, "", &out->digest);
	return r;
}

int alu_hdr_digest_algo(const struct alu_hdr *h)
{
	uint32_t a;

	return alu_hdr_u32(h, ALU_TAG_FILEDIGESTALGO, &a) == 0 ? (int)a : ALU_DIGEST_MD5;
}

void alu_hdr_script(const struct alu_hdr *h, enum alu_script_kind kind, struct alu_script *out)
{
	static const uint32_t tags[ALU_SCRIPT_N][2] = {
		[ALU_PRETRANS] = { ALU_TAG_PRETRANS, ALU_TAG_PRETRANSPROG },
		[ALU_PRE] = { ALU_TAG_PREIN, ALU_TAG_PREINPROG },
		[ALU_POST] = { ALU_TAG_POSTIN, ALU_TAG_POSTINPROG },
		[ALU_PREUN] = { ALU_TAG_PREUN, ALU_TAG_PREUNPROG },
		[ALU_POSTUN] = { ALU_TAG_POSTUN, ALU_TAG_POSTUNPROG },
		[ALU_POSTTRANS] = { ALU_TAG_POSTTRANS, ALU_TAG_POSTTRANSPROG },
	};

	memset(out, 0, sizeof(*out));
	if ((unsigned)kind >= ALU_SCRIPT_N)
		return;
	out->body = alu_hdr_str(h, tags[kind][0]);
	out->prog = alu_hdr_strv(h, tags[kind][1], &out->nprog);
}
