/* SPDX-License-Identifier: MIT */
/* alupdate help [COMMAND]: the generated pages of cmd/help.h. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/help.h"
#include "util/out.h"

const char *alu_help_text(const struct alu_cmd *cmd)
{
	const char *name = cmd ? cmd->name : "";

	for (size_t i = 0; alu_help_pages[i].name; i++)
		if (!strcmp(alu_help_pages[i].name, name))
			return alu_help_pages[i].text;
	return NULL;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	const struct alu_cmd *c = NULL;
	const char *t;

	(void)priv, (void)ctx;
	if (argc > 1) {
		alu_error("help takes one command, not %d words", argc);
		return 1;
	}
	if (argc == 1 && !(c = alu_cmd_find(argv[0]))) {
		alu_error("help: unknown command '%s' (see 'alupdate --help')", argv[0]);
		return 1;
	}
	if (!(t = alu_help_text(c))) {
		alu_error("help: no help page for '%s' in doc/alupdate.8.src", c->name);
		return 1;
	}
	fputs(t, stdout);
	return 0;
}

const struct alu_cmd alu_cmd_help = {
	.name = "help",
	.summary = "show the help of a command, or the list of commands",
	.usage = "[COMMAND]",
	.run = run,
};
