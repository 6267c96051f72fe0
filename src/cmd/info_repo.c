/* SPDX-License-Identifier: MIT */
/* `info`'s "Available Packages" part: repository packages in yum's layout. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/fmt.h"
#include "cmd/pkgq.h"
#include "db/cache.h"
#include "db/state.h"
#include "repo/repo.h"

/* yum's format_number: 1024 steps, one decimal below 10 */
static void field(const char *k, const char *v)
{
	printf("%-12s: ", k);
	for (; *v; v++) {
		putchar(*v);
		if (*v == '\n' && v[1])
			printf("%-12s: ", "");
	}
	putchar('\n');
}

static int show_cb(void *ud, const struct alu_cpkg *p)
{
	const struct alu_pkgrec *r = &p->r;
	char buf[64];

	(void)ud;
	field("Name", r->name);
	field("Arch", r->arch);
	if (r->epoch) {
		snprintf(buf, sizeof(buf), "%u", r->epoch);
		field("Epoch", buf);
	}
	field("Version", r->version);
	field("Release", r->release);
	alu_fmt_size(r->size_package, buf, sizeof(buf));
	field("Size", buf);
	field("Repo", p->repoid);
	field("Summary", r->summary);
	field("URL", r->url);
	field("License", r->license);
	field("Description", r->description);
	putchar('\n');
	return 0;
}

int pkgq_info_available(struct alu_cache *c, struct alu_state *s, char **globs, int nglobs,
			int dups, int *shown, struct alu_err *e)
{
	struct pkgq_rows inst = { 0 }, av = { 0 };
	int rc = pkgq_installed(s, NULL, 0, &inst);

	*shown = 0;
	if (rc)
		rc = alu_err_set(e, rc, "reading installed packages: %s", alu_strerror(rc));
	if (!rc)
		rc = pkgq_available(c, &inst, globs, nglobs, dups, &av, e);
	for (size_t i = 0; !rc && i < av.n; i++) {
		if (!*shown)
			printf("Available Packages\n");
		rc = alu_cache_pkg_get(c, av.v[i].id, show_cb, NULL, e);
		*shown += !rc;
	}
	pkgq_free(&inst);
	pkgq_free(&av);
	return rc;
}
