#!/bin/bash
# state_dir/offlined's inode numbers are whole 64-bit numbers (daemon40
# item 3).  statx's stx_ino is a u64, and kernfs's i_ino on a 64-bit
# kernel is the node's whole id, the allocator's wrap count in its high
# 32 bits (6.12 kernfs_id_ino()): a directory made after 2^31 others has
# the low 32 bits of an old one.  hotmemd keeps, writes, reads and
# compares them in unsigned long long: records crafted with the present
# number + 2^32 (new memory: onlined), the number itself (the same
# memory: left offline) and 2^64 + it.  That last one strtoull() read as
# ULLONG_MAX, "another directory", and the start onlined the block the
# admin had offlined; a number past 64 bits is not known now, and the
# mark held as a record without it (checks 6-7 failed without the fix,
# checks 4-5 fail where the numbers are cut to 32 bits).
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"
need_tool python3 python3

sock_machine 1b2c3d4e-0000-4000-8000-000000000162
rec=$SOCK_STATE/offlined
sock_start 1 --log-level debug
check "hotmemd 1 ready" wait_for 10 ready 1
admin_offline 16 1
wait_for 10 sh -c '[ "$(sed -n 2p "$1")" = 16 ]' _ "$rec"
is "$(sed -n 3p "$rec")" "ino $(stat -c %d:%i "$mem/memory16")" "memory16 recorded with its inode"
key=$(sed -n 1p "$rec") mnt=$(sed -n 4p "$rec")
kill "$pid1"
wait_exit "$pid1" 10
dev=$(stat -c %d "$mem/memory16") ino=$(stat -c %i "$mem/memory16")

start() { # start N INO: hotmemd N on a record of memory16 with inode INO
	printf '%s\n16\nino %s:%s\n%s\n' "$key" "$dev" "$2" "$mnt" >"$rec"
	sock_start "$1" --log-level debug
	wait_for 10 ready "$1"
	kill "$(eval echo "\$pid$1")"
	wait_exit "$(eval echo "\$pid$1")" 10
}
start 2 "$ino"
is "$(state "$root" 16)" offline "its own inode number: memory16 left offline"
start 3 $((ino + (1 << 32)))
is "$(state "$root" 16)" online "the number + 2^32 (the same low 32 bits): new memory, onlined"
check "... said why" grep -q "memory16: not the memory offlined by someone else this boot" "$TMP/3.log"

echo offline >"$mem/memory16/state"
# 2^64 + ino, in decimal: past unsigned long long
big=$(python3 -c 'import sys; print(2**64 + int(sys.argv[1]))' "$ino")
start 4 "$big"
is "$(state "$root" 16)" offline "a number past 64 bits: not known, memory16 left offline"
is "$(sed -n 3p "$rec")" "ino $dev:$ino" "... the mark anchored to the directory present"
grep -h "memory16\|offlined" "$TMP"/[1-4].log | sed 's/^/# log: /'
done_testing
