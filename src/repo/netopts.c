/* SPDX-License-Identifier: MIT */
/* A repository's network settings as the network layer takes them: one
 * place, so metadata, packages, mirror copies and keys go out alike (the
 * copies this replaced had left the proxy's credentials out of metadata). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "repo/repo.h"

void alu_repo_net_opts(const struct alu_repo *r, struct alu_net_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout = r->timeout;
	o->retries = r->retries;
	o->insecure = !r->sslverify;
	o->cacert = r->sslcacert;
	o->clientcert = r->sslclientcert;
	o->clientkey = r->sslclientkey;
	o->proxy = r->proxy;
	o->proxy_username = r->proxy_username;
	o->proxy_password = r->proxy_password;
}

static const char *other_get(const struct alu_strv *sv, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i < sv->n; i++)
		if (!strncmp(sv->v[i], key, kl) && sv->v[i][kl] == '=')
			return sv->v[i] + kl + 1;
	return NULL;
}

int alu_repo_parallel(const struct alu_conf *c, const struct alu_repo *r, int *out,
		      struct alu_err *e)
{
	const char *v = r ? other_get(&r->other, "max_parallel_downloads") : NULL;
	const char *where = v ? r->id : "main";
	char *end;
	long n;

	if (!v)
		v = other_get(&c->other, "max_parallel_downloads");
	*out = ALU_REPO_PARALLEL_DEFAULT;
	if (!v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 1 || n > ALU_REPO_PARALLEL_MAX)
		return alu_err_set(e, -ALUE_CONFIG, "[%s] max_parallel_downloads=%s: not a number "
				   "from 1 to %d", where, v, ALU_REPO_PARALLEL_MAX);
	*out = (int)n;
	return 0;
}
