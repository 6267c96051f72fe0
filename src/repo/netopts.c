/* SPDX-License-Identifier: MIT */
/* A repository's network settings as the network layer takes them: one
 * place, so metadata, packages, mirror copies and keys go out alike (the
 * copies this replaced had left the proxy's credentials out of metadata). */
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
