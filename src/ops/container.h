/* SPDX-License-Identifier: MIT */
/*
 * Container builds: a `RUN alupdate ...` step leaves no byte of alupdate's
 * scratch in its layer without a `clean all` (container.c).
 */
#ifndef ALU_OPS_CONTAINER_H
#define ALU_OPS_CONTAINER_H

#include "cmd/ctx.h"

/**
 * @brief Is this run a step of a container image build? ALUPDATE_CONTAINER_BUILD
 *        in the environment decides when set (1 yes, 0 no); otherwise yes when
 *        /run/.containerenv names buildah as its engine (buildah bud, podman
 *        build) or the host name is BuildKit's "buildkitsandbox" (docker
 *        build). A running container (docker run, podman run) is not a build.
 * @return 1 or 0.
 */
int alu_container_build(void);

/**
 * @brief After command @p cmd in a container build: empty and remove the
 *        metadata cache (unless it is a mount point: a build's cache mount
 *        keeps it for the next build) and remove the lock files, so that the
 *        layer holds the installed state only. makecache and clean are left
 *        alone (a makecache step wants its cache in the layer).
 * @return 0 (also when not a build), or the first failure, named in @p e.
 */
int alu_container_tidy(const struct alu_ctx *ctx, const char *cmd, struct alu_err *e);

#endif
