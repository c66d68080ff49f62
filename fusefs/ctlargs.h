/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotmemctl's command line -> a control-socket request (JSON).
 * Monitor-style: "device_add pc-dimm,id=d1,size=1G" or with spaces.
 */
#ifndef HMFS_CTLARGS_H
#define HMFS_CTLARGS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "uapi/hmuapi.h"

/*
 * Build {"execute": ..., "arguments": {...}} from argv (argv[0] is the
 * command).  Returns 0, or -EINVAL with @err saying what is wrong.
 */
int hmfs_ctlargs_request(int argc, char **argv, json_object **req, char *err, size_t errlen);

/*
 * An integer as a control command takes it in a string (a count, a
 * node, an errno, a pfn): decimal ("12", "-1"; "010" is ten, no octal)
 * or hex after 0x ("0x1f"), as the kernel's kstrtoll() reads it (no
 * blank before, one '\n' after), never a size ("1K" is refused: sizes are
 * size=, value=, memparse()'s).  0 and the value in @out, or -EINVAL.
 * hotmemfs, hotmemctl and `hotmem run` read them with the one rule,
 * engine/uapi/numbers.c's.  _int_base() reads @base as strtoll() does:
 * 0 for QEMU's -device properties node= and slot=, which QEMU reads so.
 */
static inline int hmfs_ctlargs_int(const char *s, long long *out)
{
	return hmu_number(s, out);
}
int hmfs_ctlargs_int_base(const char *s, int base, long long *out);
/*
 * A memory block's number, memoryN's N: decimal digits, no leading 0
 * ("010" would be octal 8 to C, 10 to chmem, a pasted phys_index hex)
 */
static inline int hmfs_ctlargs_block(const char *s, long long *out)
{
	return hmu_block_number(s, out);
}
/* what a block number must be, in every tool's refusals alike */
#define HMFS_CTLARGS_BLOCK_WHAT HMU_BLOCK_WHAT
/* why @v was refused as a number: hmu_number_hint() */
static inline const char *hmfs_ctlargs_int_hint(bool block, const char *v, char *buf, size_t len)
{
	return hmu_number_hint(block, v, buf, len);
}

/*
 * Whether the server command @execute may change the machine (ctlcmds.h's
 * HMFS_CTL_CHANGES): a reply of one lost leaves what it did unknown.
 * false for a command that is none of the table's (events,
 * query-commands, an unknown one: refused, nothing done).
 */
bool hmfs_ctlargs_changes(const char *execute);

/*
 * Seconds as a control command and hotmemctl's options take them
 * (settle's timeout, -t): decimal, "2.5" too, or whole in hex after 0x
 * ("0x10"); no sign, blank or exponent; from 0 to HMFS_CTL_MAX_WAIT_S
 * (ctllimits.h).  0 and the value in @secs, or -EINVAL.  hotmemfs and
 * hotmemctl both read them with it, so the client refuses what the server
 * would.
 */
int hmfs_ctlargs_seconds(const char *s, double *secs);

/*
 * Member @key of object @o whatever its type, NULL when @o is none or
 * has no such member: the one lookup of the control protocol's objects,
 * hotmemctl's reads of a reply and hotmemfs's of a request alike;
 * hmfs_json_get() (hmfs.h) is it with the type checked.
 */
json_object *hmfs_json_member(json_object *o, const char *key);

/*
 * errno @err (negative) as hotmemfs writes it everywhere (status, the
 * state file, a refusal's words) and hotmemctl prints it: its name,
 * "ENOMEM", or its number, "300", in @buf where glibc has none (as the
 * kernel's %pe prints it).  Here, not in json.c: hotmemctl links this
 * engine-free object, not json.c's.
 */
#define HMFS_ERRNO_NAME_LEN 12
const char *hmfs_errno_name(int err, char buf[HMFS_ERRNO_NAME_LEN]);
/* the same read back: -errno, or 0 for neither */
int hmfs_errno_parse(const char *s);

#endif /* HMFS_CTLARGS_H */
