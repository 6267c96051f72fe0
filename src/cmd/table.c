/* SPDX-License-Identifier: MIT */
/* The explicit command table: no constructor tricks, they break static links. */
#include <string.h>

#include "cmd/cmd.h"

extern const struct alu_cmd alu_cmd_version;
extern const struct alu_cmd alu_cmd_recover;
extern const struct alu_cmd alu_cmd_makecache, alu_cmd_clean;
extern const struct alu_cmd alu_cmd_config;
extern const struct alu_cmd alu_cmd_repolist;
extern const struct alu_cmd alu_cmd_adopt, alu_cmd_list, alu_cmd_check_update, alu_cmd_updateinfo;
extern const struct alu_cmd alu_cmd_search, alu_cmd_provides;
extern const struct alu_cmd alu_cmd_update, alu_cmd_update_minimal, alu_cmd_install, alu_cmd_reinstall, alu_cmd_downgrade, alu_cmd_remove, alu_cmd_autoremove, alu_cmd_distro_sync, alu_cmd_history, alu_cmd_keys, alu_cmd_versionlock;
extern const struct alu_cmd alu_cmd_info, alu_cmd_verify;
extern const struct alu_cmd alu_cmd_config_manager;
extern const struct alu_cmd alu_cmd_repoquery, alu_cmd_deplist, alu_cmd_package_cleanup, alu_cmd_swap;
extern const struct alu_cmd alu_cmd_group, alu_cmd_grouplist, alu_cmd_groupinfo, alu_cmd_groupinstall, alu_cmd_groupupdate, alu_cmd_groupremove;
extern const struct alu_cmd alu_cmd_rpmdb_export;
extern const struct alu_cmd alu_cmd_reposync;
extern const struct alu_cmd alu_cmd_download, alu_cmd_boot_update;
extern const struct alu_cmd alu_cmd_help, alu_cmd_complete;
extern const struct alu_cmd alu_cmd_image;
extern const struct alu_cmd alu_cmd_extras;
extern const struct alu_cmd alu_cmd_kernel_livepatch;
extern const struct alu_cmd alu_cmd_check_release_update;

const struct alu_cmd *const alu_cmds[] = {
	&alu_cmd_version,
	&alu_cmd_recover,
	&alu_cmd_makecache, &alu_cmd_clean,
	&alu_cmd_config,
	&alu_cmd_repolist,
	&alu_cmd_adopt, &alu_cmd_list, &alu_cmd_check_update, &alu_cmd_updateinfo,
	&alu_cmd_search, &alu_cmd_provides,
	&alu_cmd_update, &alu_cmd_update_minimal, &alu_cmd_install, &alu_cmd_reinstall, &alu_cmd_downgrade, &alu_cmd_remove, &alu_cmd_autoremove, &alu_cmd_distro_sync, &alu_cmd_history, &alu_cmd_keys, &alu_cmd_versionlock,
	&alu_cmd_info, &alu_cmd_verify,
	&alu_cmd_config_manager,
	&alu_cmd_repoquery, &alu_cmd_deplist, &alu_cmd_package_cleanup, &alu_cmd_swap,
	&alu_cmd_group, &alu_cmd_grouplist, &alu_cmd_groupinfo, &alu_cmd_groupinstall, &alu_cmd_groupupdate, &alu_cmd_groupremove,
	&alu_cmd_rpmdb_export,
	&alu_cmd_reposync,
	&alu_cmd_download, &alu_cmd_boot_update,
	&alu_cmd_help, &alu_cmd_complete,
	&alu_cmd_image,
	&alu_cmd_extras,
	&alu_cmd_kernel_livepatch,
	&alu_cmd_check_release_update,
	NULL
};

const struct alu_cmd *alu_cmd_find(const char *name)
{
	for (size_t i = 0; alu_cmds[i]; i++) {
		const struct alu_cmd *c = alu_cmds[i];
		if (!strcmp(c->name, name))
			return c;
		for (size_t j = 0; c->aliases && c->aliases[j]; j++)
			if (!strcmp(c->aliases[j], name))
				return c;
	}
	return NULL;
}
