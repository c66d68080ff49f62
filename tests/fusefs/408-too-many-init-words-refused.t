#!/bin/bash
# A command line that gives init too many words is one a 6.12 kernel
# panics on (init/main.c: argv_init[] and envp_init[] hold MAX_INIT_ARGS
# and MAX_INIT_ENVS, 32, + 2; start_kernel(): "Too many boot %s vars at
# `%s'"): the 33rd argument ("init" is argv_init[0]) or the 32nd
# environment word (HOME=/ and TERM=linux come first).  hotmemfs refuses
# to boot it with the kernel's message, as it refuses other lines a
# kernel panics on; one word less boots, init's words listed as the
# kernel lists them.  It booted (zones43): without the fix checks 1 and 2
# fail ("refused (it mounted)").
. "$(dirname "$0")/lib.sh"
require_env

# words FMT N: N words by printf FMT over 1..N, one line
words() { for i in $(seq "$2"); do printf "$1 " "$i"; done; }

start_refused "33 arguments for init" 1 \
	"Kernel panic - not syncing: Too many boot init vars at \`a33'" \
	--control "$CTL" --state "$STATE" --fresh --profile qemu-512m \
	--cmdline "hotmem.kernel_alloc=off $(words a%d 33)" "$MNT"
sed 's/^/# /' "$TMP/out"
start_refused "32 environment words for init" 1 \
	"Kernel panic - not syncing: Too many boot env vars at \`E32=1'" \
	--control "$CTL" --state "$STATE" --fresh --profile qemu-512m \
	--cmdline "hotmem.kernel_alloc=off $(words E%d=1 32)" "$MNT"

mount_fs "32 arguments and 31 environment words boot" --profile qemu-512m --fresh \
	--cmdline "hotmem.kernel_alloc=off $(words a%d 32)$(words E%d=1 31)"
want="$(words a%d 32)$(words E%d=1 31)"
grep -qF "<5>Unknown kernel command line parameters \"${want% }\", will be passed to user space." \
	<(ctl dmesg)
tap_ok $? "dmesg: init's words listed as the kernel lists them"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
