/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for alupdate.yaml: alu_conf_yaml_load() only reads
 * <root>/etc/alupdate/alupdate.yaml, so the bytes are written there under a
 * private root (in /dev/shm when it exists) and loaded into a fresh config.
 * Malformed input must give one message naming the file; a success must
 * leave only values the schema allows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64], file[128], dir1[96], dir2[112];

static void cleanup(void)
{
	unlink(file);
	rmdir(dir2);
	rmdir(dir1);
	rmdir(root);
}

static void setup(void)
{
	snprintf(root, sizeof(root), "%s/fuzz_yaml.XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(root))
		abort();
	snprintf(dir1, sizeof(dir1), "%s/etc", root);
	snprintf(dir2, sizeof(dir2), "%s/etc/alupdate", root);
	snprintf(file, sizeof(file), "%s%s", root, ALU_CONF_YAML);
	if (mkdir(dir1, 0700) || mkdir(dir2, 0700))
		abort();
	atexit(cleanup);
}

static void write_all(const uint8_t *data, size_t size)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		abort();
	while (size) {
		ssize_t n = write(fd, data, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			abort();
		data += n;
		size -= (size_t)n;
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alu_conf c = { 0 };
	struct alu_err e = { 0 };
	int expire_set = -1, r;

	if (!*root)
		setup();
	write_all(data, size);
	if (!(c.root = strdup(root)) || !(c.cachedir = alu_conf_path(&c, "/var/cache/alupdate")))
		goto out;
	r = alu_conf_yaml_load(&c, &expire_set, &e);
	if (expire_set != 0 && expire_set != 1)
		abort();
	if (r == -ALUE_CONFIG && strncmp(e.msg, file, strlen(file)))
		abort();
	if (r && r != -ENOMEM && r != -ALUE_CONFIG)
		abort();
	if (!r) {
		if (!c.yamlfile || strcmp(c.yamlfile, file))
			abort();
		if (strncmp(c.cachedir, root, strlen(root)))
			abort();
		for (size_t i = 0; i < c.regions.n; i++)
			if (!c.regions.v[i][0])
				abort();
	}
out:
	alu_conf_free(&c);
	return 0;
}
