/* SPDX-License-Identifier: MIT */
/* Where extras come from, and the catalog fetched from there (cmd/extras_repo.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/extras_repo.h"
#include "conf/conf.h"
#include "net/net.h"
#include "repo/extras_catalog.h"

void alu_extras_net_opts(const struct alu_conf *c, struct alu_net_opts *o)
{
	const struct alu_repo *r = alu_conf_repo(c, "amzn2-core");

	memset(o, 0, sizeof(*o));
	o->timeout = r ? r->timeout : c->timeout;
	o->retries = r ? r->retries : c->retries;
	o->insecure = !(r ? r->sslverify : c->sslverify);
	o->cacert = r ? r->sslcacert : c->sslcacert;
	o->clientcert = r ? r->sslclientcert : c->sslclientcert;
	o->clientkey = r ? r->sslclientkey : c->sslclientkey;
	o->proxy = r ? r->proxy : c->proxy;
	o->proxy_username = r ? r->proxy_username : c->proxy_username;
	o->proxy_password = r ? r->proxy_password : c->proxy_password;
}

#define DEFAULT_BASE "http://amazonlinux.$awsregion.$awsdomain/$releasever"

/* The mirror the core repository uses is the one extras come from:
 * amzn2-core's mirrorlist up to "/core/", with $awsregion and $releasever
 * put back so that the written file follows the root's variables. */
static void find_base(const struct alu_conf *c, struct alu_extras_src *x)
{
	const struct alu_repo *r = alu_conf_repo(c, "amzn2-core");
	const char *ml = r ? r->mirrorlist : NULL, *core = ml ? strstr(ml, "/core/") : NULL;
	const char *rv = c->releasever, *reg = alu_conf_var(c, "awsregion");
	size_t n;

	snprintf(x->base, sizeof(x->base), "%s", DEFAULT_BASE);
	if (r && r->gpgkeys.n)
		snprintf(x->gpgkey, sizeof(x->gpgkey), "%s", r->gpgkeys.v[0]);
	else
		snprintf(x->gpgkey, sizeof(x->gpgkey), "file:///etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2");
	if (!core)
		return;
	n = (size_t)(core - ml);
	if (rv && n > strlen(rv) && !strncmp(core - strlen(rv), rv, strlen(rv)) && core[-(long)strlen(rv) - 1] == '/') {
		const char *end = core - strlen(rv) - 1;
		size_t rl = reg ? strlen(reg) : 0;
		if (reg && (size_t)(end - ml) > rl && !strncmp(end - rl, reg, rl) && end[-(long)rl - 1] == '/')
			snprintf(x->base, sizeof(x->base), "%.*s/$awsregion/$releasever", (int)(end - rl - 1 - ml), ml);
		else
			snprintf(x->base, sizeof(x->base), "%.*s/$releasever", (int)(end - ml), ml);
	} else {
		snprintf(x->base, sizeof(x->base), "%.*s", (int)n, ml);
	}
}

/* The catalog's own URL failed: the core repository's mirror list names
 * the mirrors, in failover order; each has the catalog beside its "core"
 * directory (.../REGION/2/core/RELEASE/x86_64 -> .../REGION/2/). */
static int failover(const struct alu_conf *c, struct alu_net *net, char *url, size_t un, char **buf,
		    size_t *len, int rc, struct alu_err *e)
{
	const struct alu_repo *r = alu_conf_repo(c, "amzn2-core");
	struct alu_net_opts no;
	char *list = NULL, *line, *save = NULL;
	size_t ll;
	struct alu_err le = { 0 };

	alu_extras_net_opts(c, &no);
	if (!r || !r->mirrorlist || alu_net_get_mem(net, r->mirrorlist, &no, 1u << 20, &list, &ll, &le))
		return rc;
	for (line = strtok_r(list, "\r\n", &save); line && rc; line = strtok_r(NULL, "\r\n", &save)) {
		char *core = strstr(line, "/core/");
		struct alu_err me = { 0 };
		if (!core)
			continue;
		snprintf(url, un, "%.*s/extras-catalog.json", (int)(core - line), line);
		if (!(rc = alu_net_get_mem(net, url, &no, ALU_EXTRAS_CATALOG_MAX, buf, len, &me)))
			alu_err_clear(e);
	}
	free(list);
	return rc;
}

int alu_extras_fetch_raw(const struct alu_conf *c, struct alu_net *net, struct alu_extras_src *x,
			 char *url, size_t un, char **buf, size_t *len, struct alu_err *e)
{
	const char *env = getenv("CATALOGURL");
	struct alu_net_opts no;
	char *base = NULL;
	int rc;

	find_base(c, x);
	if (env && *env) {
		snprintf(url, un, "%s", env);
	} else {
		if (alu_conf_subst(c, x->base, &base))
			return alu_err_set(e, -ENOMEM, "out of memory");
		snprintf(url, un, "%s/extras-catalog.json", base);
		free(base);
	}
	alu_extras_net_opts(c, &no);
	rc = alu_net_get_mem(net, url, &no, ALU_EXTRAS_CATALOG_MAX, buf, len, e);
	if (rc && !(env && *env))
		rc = failover(c, net, url, un, buf, len, rc, e);
	if (rc) {
		char m[sizeof(e->msg)];
		snprintf(m, sizeof(m), "%s", e->msg);
		alu_err_clear(e);
		return alu_err_set(e, rc, "cannot read the extras catalog: %s", m[0] ? m : url);
	}
	return 0;
}

int alu_extras_fetch(const struct alu_conf *c, struct alu_extras_src *x, struct alu_extras_catalog *cat,
		     struct alu_err *e)
{
	struct alu_net *net = NULL;
	char url[4096], *buf = NULL;
	size_t len = 0;
	int rc;

	if (alu_net_new(&net))
		return alu_err_set(e, -ENOMEM, "out of memory");
	rc = alu_extras_fetch_raw(c, net, x, url, sizeof(url), &buf, &len, e);
	alu_net_free(net);
	if (!rc)
		rc = alu_extras_catalog_parse(buf, len, url, cat, e);
	free(buf);
	return rc;
}

int alu_extras_topic_check(const struct alu_conf *c, const struct alu_extras_src *x, const char *topic,
			   const char *version, struct alu_err *e)
{
	struct alu_net_opts no;
	struct alu_net *net = NULL;
	struct alu_mirrors m = { 0 };
	struct alu_err le = { 0 };
	char ml[4096], *url = NULL, *buf = NULL;
	size_t len = 0;
	int rc;

	snprintf(ml, sizeof(ml), "%s/extras/%s/%s/$basearch/mirror.list", x->base, topic, version);
	if (alu_conf_subst(c, ml, &url) || alu_net_new(&net)) {
		free(url);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	alu_extras_net_opts(c, &no);
	rc = alu_net_get_mem(net, url, &no, 1u << 20, &buf, &len, &le);
	if (!rc && (rc = alu_mirrors_from_url_list(&m, buf, len, c->basearch, url, &le)) == 0 && !m.n)
		rc = alu_err_set(&le, -ALUE_NOTFOUND, "%s: lists no mirror", url);
	if (rc)
		alu_err_set(e, rc, "Topic %s=%s: its repository amzn2extra-%s is not available from this "
			    "mirror: %s", topic, version, topic, le.msg[0] ? le.msg : url);
	alu_mirrors_free(&m);
	alu_net_free(net);
	free(buf);
	free(url);
	return rc;
}
