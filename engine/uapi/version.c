// SPDX-License-Identifier: GPL-2.0
/*
 * --version of every program.  hmu_git.h is generated into $(BUILD)/gen
 * by engine/uapi/uapi.mk, rewritten only when the describe changes, so
 * that only this file is compiled again after a commit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_version.h"
#include "hmu_git.h"

const char hmu_git_describe[] = HMU_GIT_DESCRIBE;

int hmu_print_version(const char *prog)
{
	printf("%s %s (git %s)\n", prog, HMU_VERSION, hmu_git_describe);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: --version: cannot write to stdout: %s\n", prog, strerror(errno));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
