/* SPDX-License-Identifier: MIT */
/*
 * hotmemd configuration: /etc/hotmem/hotmemd.conf, its drop-ins
 * hotmemd.conf.d/ *.conf (read with libinih, in name order), then the
 * command line; every key of [hotmemd] is also an option --key-name=VALUE.
 */
#ifndef HOTMEMD_CONFIG_H
#define HOTMEMD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

#define HMD_DEFAULT_CONFIG "/etc/hotmem/hotmemd.conf"
#define HMD_PATH_MAX 1024
#define HMD_ERR_MAX 2048

/*
 * A value or a file's line quoted in a message: its first HMD_QUOTE_MAX
 * bytes, and "..." when it is longer.  Quoted whole, a long one filled
 * the message and cut what came after it: what hotmemd does about it
 * (a damaged record: the 512-byte log line, reread39), or the choices a
 * refused key takes (config.c: a 256-byte reason, daemon40).  The one
 * quoting of hotmemd's messages:
 *   fail(err, len, "'" HMD_QUOTE_FMT "' is not ...", HMD_QUOTE(value));
 * @s is read twice.
 */
#define HMD_QUOTE_MAX 64
#define HMD_QUOTE_FMT "%.*s%s"
#define HMD_QUOTE(s) HMD_QUOTE_MAX, (s), strlen(s) > HMD_QUOTE_MAX ? "..." : ""

enum hmd_tristate { HMD_NO = 0, HMD_YES = 1, HMD_FROM_KERNEL = 2 };
enum hmd_groups { HMD_GROUPS_NONE, HMD_GROUPS_CONTIGUOUS, HMD_GROUPS_FIRMWARE };
enum hmd_source { HMD_SRC_AUTO, HMD_SRC_KERNEL, HMD_SRC_ANY };
enum hmd_log_target { HMD_LOG_AUTO, HMD_LOG_JOURNAL, HMD_LOG_STDERR };

struct hmd_config {
	int policy; /* enum hmd_policy */
	int node_policy[HMD_MAX_NODES]; /* HMD_POL_INHERIT or a policy */
	int ratio; /* -1: read the kernel's */
	int numa_aware; /* enum hmd_tristate */
	int groups; /* enum hmd_groups */
	unsigned int retry_max; /* retries after the first try */
	unsigned int retry_initial_ms;
	unsigned int retry_max_ms;
	bool dry_run;
	bool netlink;
	int uevent_source; /* enum hmd_source */
	int log_level; /* syslog priority, LOG_INFO */
	int log_target; /* enum hmd_log_target */
	char sysroot[HMD_PATH_MAX];
	char uevent_socket[HMD_PATH_MAX]; /* "" = none */
	char state_dir[HMD_PATH_MAX]; /* "" = do not remember */
	char boot_blocks[256]; /* "auto" or "0-23,32-199" */
};

/* Command-line settings, re-applied over the files at every (re)load. */
#define HMD_CLI_MAX 64
struct hmd_cli {
	int n;
	const char *key[HMD_CLI_MAX]; /* "policy", "node3.policy" */
	const char *value[HMD_CLI_MAX];
	char keybuf[HMD_CLI_MAX][24]; /* for built keys */
};

void hmd_config_defaults(struct hmd_config *cfg);

/*
 * Set one key of section [hotmemd] (section NULL or "hotmemd") or
 * [nodeN].  Returns 0, or -1 with a reason in err.
 */
int hmd_config_set(struct hmd_config *cfg, const char *section, const char *key, const char *value,
		   char *err, size_t errlen);

/*
 * Defaults, then path (missing is fine unless must_exist), then path.d/
 * *.conf, then cli.  On error returns -1 and err holds one line per
 * problem, "FILE:LINE: reason"; cfg is then unspecified.
 */
int hmd_config_load(struct hmd_config *cfg, const char *path, bool must_exist,
		    const struct hmd_cli *cli, char *err, size_t errlen);

/* The effective configuration, in the file format. */
void hmd_config_dump(const struct hmd_config *cfg, FILE *f);

/*
 * The [hotmemd] keys the files at @path set and the command line sets
 * otherwise in @eff (loaded from them and it): "KEY = FILE-VALUE<TAB>VALUE"
 * lines into @out, "" for none; a reload of an edited file does not apply
 * them.  0, or -ENOMEM.
 */
int hmd_config_overridden(const struct hmd_config *eff, const char *path, bool must_exist,
			  char *out, size_t outlen);

/* Keys that can be options: for getopt_long and --help. */
struct hmd_config_key {
	const char *name; /* file key, e.g. "auto_movable_ratio" */
	const char *option; /* "auto-movable-ratio" */
	bool is_bool; /* --dry-run without a value means yes */
	const char *help;
};
extern const struct hmd_config_key hmd_config_keys[];

int hmd_parse_bool(const char *s); /* 1, 0 or -1 */
int hmd_check_block_list(const char *s); /* "0-23,32-199": 0, else -1 */

#endif
