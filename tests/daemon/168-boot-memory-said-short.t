#!/bin/bash
# hotmemd's start says what it took as boot memory. On a machine with
# nothing hot-added (every online block boot RAM, the common first start)
# it said "0 left out as hot-added (0 of ACPI memory devices, 0 of
# virtio-mem devices: never early memory)", three zeros a new user read
# as something to look into (docs43 F9); it says "none hot-added". With
# hot-added blocks the counts stay (64-boot-blocks-hot-added.t).
. "$(dirname "$0")/lib.sh"
need_hotmemd

root=$TMP/root
mk_small_machine "$root"

"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" --oneshot --dry-run \
	--netlink=no >/dev/null 2>"$TMP/err"
is "$?" 0 "--dry-run --oneshot exits 0"
sed 's/^/# /' "$TMP/err"
is "$(grep 'boot memory: ' "$TMP/err")" \
	"hotmemd: notice: boot memory: 8 online blocks taken as boot memory, none hot-added; to name them yourself: boot_blocks = LIST in hotmemd.conf" \
	"nothing hot-added: said in two words, no zeros"
check "no count of 0 left out" bash -c "! grep -q '0 left out as hot-added' '$TMP/err'"
done_testing
