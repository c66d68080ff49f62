/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one version of every hotmem program: hotmem, hotmemfs, hotmemctl,
 * hotmem-enter, hotmem-conform, hotmemd and hotmem-trace answer
 * --version with it (and the build's git describe, which the project
 * needs since it lands many commits a day).  In engine/uapi so that
 * hotmemd, which never links the engine, has it too.
 */
#ifndef HM_VERSION_H
#define HM_VERSION_H

#define HMU_VERSION "0.1.0"

/* `git describe --always --dirty` of the build; "unknown" outside a git checkout */
extern const char hmu_git_describe[];

/*
 * "PROG 0.1.0 (git DESCRIBE)" on stdout: EXIT_SUCCESS, or EXIT_FAILURE
 * (said on stderr) when stdout cannot take it (--version >/dev/full).
 */
int hmu_print_version(const char *prog);

#endif
