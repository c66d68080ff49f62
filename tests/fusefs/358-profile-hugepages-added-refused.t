#!/bin/bash
# reread30 R6: hugepages= (80af6eca: the boot pre-allocates the pool) was
# not in hotmem_config_describe(), so a profile file given
# `cmdline = "hugepages=8"` after its state was saved restored as if
# unchanged: the machine booted 8 pool pages, then the restore set each
# node's pool to its saved count -- another machine than the profile file
# says, silently.  describe() writes it now, set-only (a file saved
# without it had none: R11's rule keeps such files restoring).  Check 3
# fails without (it mounted, checked), and 7; the rest guard the restore.
. "$(dirname "$0")/lib.sh"
require_env

P=$TMP/mine.profile
printf 'profile = qemu-512m\nname = mine\n' >"$P"
mount_fs "hotmemfs mounts a profile file (qemu-512m's) with a state file" --profile "$P" --fresh
is "$(cat "$MNT/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")" 0 "... no pool at boot"
stop_fs

printf 'cmdline = "hugepages=8"\n' >>"$P"
sum=$(md5sum <"$STATE")
start_refused "hugepages= added to the profile file since the save" 78 \
	"the profile file $P changed since this state was saved: cmdline" \
	--control "$CTL" --state "$STATE" --profile "$P" "$MNT"
sed 's/^/# /' "$TMP/out"

mount_fs "with it from the start: mounts" --profile "$P" --fresh
is "$(cat "$MNT/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")" 8 "... 8 pages at boot"
python3 -c 'import json,sys; sys.exit(0 if "cmdline = \"hugepages=8\"" in json.load(open(sys.argv[1]))["machine"]["profile-config"] else 1)' "$STATE"
tap_ok $? "... the state file's profile-config has 'cmdline = \"hugepages=8\"'"
stop_fs
start_fs --profile "$P"
tap_ok $? "... and restores"
is "$(cat "$MNT/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")" 8 "... 8 pages, not 16"
stop_fs
done_testing
