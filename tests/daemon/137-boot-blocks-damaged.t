#!/bin/bash
# A damaged state_dir/boot-blocks (abuse25a B5: an edit, a disk error,
# another tool) was taken silently: "O-15" or "garbage" on line 1 read as
# block 0, the one boot block; KERNEL_EARLY shrank to it and auto-movable
# put DIMMs in Normal -- and hotmemd wrote the damaged list back.  Now a
# record whose block list, node line or any other line is not as hotmemd
# writes it is said at warning, naming the line, and boot memory is
# re-anchored from what the machine shows now, as for another machine's
# record; the record is written anew.
. "$(dirname "$0")/lib.sh"
need_hotmemd
set -u

# 512 MiB of boot memory (memory0-3); a 512 MiB DIMM, memory8-11, offline
root=$TMP/root
mk_boot_512m "$root"
check "hotmemd once: the record" oneshot_run "$root" "$TMP/err0"
is "$(head -1 "$TMP/state/boot-blocks" 2>&1)" 0-3 "boot memory: memory0-3"
cp "$TMP/state/boot-blocks" "$TMP/good"
mk_blocks "$root" 8 11 offline "Movable Normal"

# damage N SED-SCRIPT LINE WHAT: the record damaged by SED-SCRIPT; the next
# start says line N 'LINE' is not WHAT, re-anchors, and puts the DIMM in
# Movable (its 512 MiB within 301% of 512 MiB boot memory; Normal when
# boot memory read as one block)
damage() {
	cp "$TMP/good" "$TMP/state/boot-blocks"
	sed -i "$2" "$TMP/state/boot-blocks"
	mk_blocks "$root" 8 11 offline "Movable Normal"
	check "record damaged ($2): hotmemd runs" oneshot_run "$root" "$TMP/err"
	grep "boot-blocks" "$TMP/err" | sed 's/^/# /'
	check "... warning line $1 '$3' is not $4, re-anchoring" grep -qF \
		"warning: $TMP/state/boot-blocks: line $1 '$3' is not $4: re-anchoring boot memory from what this machine shows now" \
		"$TMP/err"
	is "$(for i in 8 9 10 11; do state "$root" "$i"; done | sort -u)" online_movable \
		"... the DIMM online_movable, as with the record intact"
	is "$(head -1 "$TMP/state/boot-blocks" 2>&1)" 0-3 "... the record written anew: memory0-3"
}
damage 1 '1s/.*/O-3/' O-3 "a block list like 0-23,32-199"
damage 1 '1s/.*/garbage/' garbage "a block list like 0-23,32-199"
damage 1 '1s/.*/0-99999999999999999999/' 0-99999999999999999999 "a block list like 0-23,32-199"
damage 2 '2s/.*/node 0 kernel_offset 1O movable_offset 0/' \
	"node 0 kernel_offset 1O movable_offset 0" "'node N kernel_offset K movable_offset M' or the machine line"
damage 2 '2s/.*/node 0 kernel_offset 99999999999999999999 movable_offset 0/' \
	"node 0 kernel_offset 99999999999999999999 movable_offset 0" "'node N kernel_offset K movable_offset M' or the machine line"
damage 2 '2s/.*/node 0 kernel_offset 0 movable_offset 0 x/' \
	"node 0 kernel_offset 0 movable_offset 0 x" "'node N kernel_offset K movable_offset M' or the machine line"

# an intact record is kept, silently: memory4, onlined since, is not boot memory
cp "$TMP/good" "$TMP/state/boot-blocks"
mk_blocks "$root" 4 4 online Normal
check "an intact record: hotmemd runs" oneshot_run "$root" "$TMP/err"
check "... no warning" eval '! grep -q "warning" "$TMP/err"'
is "$(head -1 "$TMP/state/boot-blocks" 2>&1)" 0-3 "... the record kept: memory0-3"
done_testing
