#!/bin/bash
# state_dir/boot-blocks names the machine it describes (usereye8 #4): a
# hotmemd on another machine with the same state dir (another sysroot, or
# one made anew at the same path, as a hotmemfs restarted --fresh or with
# another profile) took the first machine's boot memory silently --
# KERNEL_EARLY of 512 MiB on a 24 GiB machine, and auto-movable put its
# DIMM in Normal.  Now the record's "machine" line differs: said at
# warning, re-anchored from what the machine shows now.  A restart on the
# same machine keeps the record (a block onlined meanwhile stays
# hot-added); a record without the line is read once and rewritten.
. "$(dirname "$0")/lib.sh"
need_hotmemd
set -u

# machine A: 512 MiB of boot memory (memory0-3)
a=$TMP/a
mk_boot_512m "$a"
check "hotmemd on machine A" oneshot_run "$a" "$TMP/err1"
is "$(head -1 "$TMP/state/boot-blocks" 2>&1)" 0-3 "A's boot memory: memory0-3"
check "the record names its machine" grep -q "^machine block_size 134217728 memory_dir .* sysroot $a\$" \
	"$TMP/state/boot-blocks"

# the same machine, a block onlined meanwhile: the record holds
mk_blocks "$a" 4 4 online Normal
check "hotmemd restarted on machine A" oneshot_run "$a" "$TMP/err2"
is "$(head -1 "$TMP/state/boot-blocks" 2>&1)" 0-3 "a restart keeps the record: memory4 is not boot memory"
check "no warning" eval '! grep -q "another machine" "$TMP/err2"'

# machine B: 24 GiB of boot memory (memory0-191) and a 2 GiB DIMM offline
b=$TMP/b
mk_sysroot "$b"
mk_blocks "$b" 0 191 online Normal
zone_add "$b" 0 Normal 6291456
mk_blocks "$b" 192 207 offline "Movable Normal"
check "hotmemd on machine B, the same state dir" oneshot_run "$b" "$TMP/err3"
grep "another machine" "$TMP/err3" | sed 's/^/# /'
check "said at warning" grep -q "warning: $TMP/state/boot-blocks describes another machine (\"machine .* sysroot $a\"; this one is \"machine .* sysroot $b\"): .*re-anchoring" "$TMP/err3"
is "$(head -1 "$TMP/state/boot-blocks" 2>&1)" 0-191 "B's boot memory: memory0-191, re-anchored"
is "$(for i in $(seq 192 207); do state "$b" "$i"; done | sort -u)" online_movable \
	"the DIMM online_movable: within 301% of B's 24 GiB"

# another machine at the same path (made anew, the old one there
# meanwhile, so that its directories are other inodes): 1 GiB, memory0-7
mk_sysroot "$b.new"
mk_blocks "$b.new" 0 7 online Normal
zone_add "$b.new" 0 Normal 262144
check "B replaced" eval 'rm -rf "$b" && mv "$b.new" "$b"'
check "hotmemd on a machine made anew at B's path" oneshot_run "$b" "$TMP/err4"
check "said at warning" grep -q "warning: .*describes another machine" "$TMP/err4"
is "$(head -1 "$TMP/state/boot-blocks" 2>&1)" 0-7 "its boot memory: memory0-7"

# a record written before the machine line: read once as before, rewritten with it
check "the record without its machine line" sed -i '/^machine /d' "$TMP/state/boot-blocks"
mk_blocks "$b" 8 8 online Normal
check "hotmemd restarted" oneshot_run "$b" "$TMP/err5"
is "$(head -1 "$TMP/state/boot-blocks" 2>&1)" 0-7 "the old record is kept: memory8 is not boot memory"
check "no warning" eval '! grep -q "another machine" "$TMP/err5"'
check "rewritten with the machine line" grep -q "^machine block_size 134217728 memory_dir .* sysroot $b\$" \
	"$TMP/state/boot-blocks"
done_testing
