#!/bin/bash
# What hotmemd asks hotmemfs a block, by FUSE opcode (hotmemctl status
# --json "fuse"): counts, not times (#15 goals 1 and 5: every request
# waited for is a round trip).  (1) the coldplug of one DIMM of 256 blocks
# (--oneshot, hotmemd's only client of the mount); (2) single 128 MiB DIMMs
# plugged one at a time, each its own burst of uevents: its ADD, its
# decision and write, and the rescan when the uevents settle.  Each figure
# must stay at or below what it was when this test was written: a request
# more a block is a regression to explain (docs/hotmemd.md, "FUSE
# requests a block").
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
need_tool python3 python3
fs_paths
mount_hotmemfs "$mnt" "$ctl" "$sock"

# by-opcode counts so far, "OPCODE N" lines, sorted
ops() {
	"$CTL" -s "$ctl" status --json | python3 -c '
import json, sys
for k, v in sorted(json.load(sys.stdin)["fuse"]["by-opcode"].items()):
    print(k, v)'
}
# delta BEFORE AFTER N: "OPCODE PER-N" of what grew, then "total PER-N"
# and "own PER-N": the total without the rescans' listings of memory/
# (READDIRPLUS, and the GETATTR of memory/ before one), whose number
# depends on timing -- an ONLINE uevent hotmemfs's sender thread delivers
# after the settle makes a second one
delta() {
	python3 - "$1" "$2" "$3" <<'EOF'
import sys
def load(p):
    d = {}
    for line in open(p):
        k, v = line.split()
        d[k] = int(v)
    return d
a, b, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
tot = own = 0
for k in sorted(b):
    g = b[k] - a.get(k, 0)
    if g:
        print("%s %.2f" % (k, g / n))
        tot += g
        own += 0 if k in ("READDIRPLUS", "GETATTR") else g
print("total %.2f" % (tot / n))
print("own %.2f" % (own / n))
EOF
}
# at_most WHAT FILE FIELD MAX: FILE's per-block counts said, its FIELD
# ("total" or "own") at most MAX
at_most() {
	local got
	got=$(awk -v f="$3" '$1 == f { print $2 }' "$2")
	set -- "$1" "$2" "$4"
	echo "# $1, FUSE requests a block:"
	sed 's/^/# /' "$2"
	if python3 -c 'import sys; sys.exit(float(sys.argv[1]) > float(sys.argv[2]))' "$got" "$3"; then
		ok "$1: $got FUSE requests a block, at most $3"
	else
		nok "$1: $got FUSE requests a block, more than $3"
	fi
}
offline_blocks() { grep -lx offline "$mem"/memory*/state 2>/dev/null | wc -l; }
dimm() { "$CTL" -s "$ctl" device_add pc-dimm size="$1" id="$2" >/dev/null; }

# (1) the coldplug: a DIMM of 256 blocks plugged while no hotmemd runs
# (what is asked once a coldplug, /proc/iomem, the boot blocks' scan,
# spread thin)
check "plug a 32 GiB DIMM (256 blocks)" dimm 32G big
is "$(offline_blocks)" 256 "its 256 blocks are offline"
ops >"$TMP/c0"
check "hotmemd --oneshot coldplugs them" "$HOTMEMD" --config /dev/null --sysroot "$mnt" \
	--state-dir "$TMP/state" --netlink=no --oneshot --log-level warning
ops >"$TMP/c1"
is "$(offline_blocks)" 0 "none offline after it"
delta "$TMP/c0" "$TMP/c1" 256 >"$TMP/cold"
# 11.38 before 2026-11-30 and after (READDIRPLUS 1, OPEN 3, READ 2, WRITE
# 1, READLINK 1, RELEASE 3 a block; the rest once a coldplug)
at_most "coldplug of 256 blocks" "$TMP/cold" total 11.5

# (2) ADDs one at a time, each settled (its rescan done) before the next
hotmemd_on_sock --log-level debug
settled() { [ "$(grep -c 'rescan after uevents' "$log")" -ge "$1" ]; }
n=8 s=0
check "plug a first DIMM" dimm 128M s0
check "... its burst settles" wait_for 10 settled 1
ops >"$TMP/a0"
for ((i = 1; i <= n; i++)); do
	dimm 128M "s$i" && wait_for 10 settled $((i + 1)) || break
	s=$i
done
ops >"$TMP/a1"
is "$s" "$n" "$n single DIMMs plugged, each ADD settled"
is "$(offline_blocks)" 0 "all online"
delta "$TMP/a0" "$TMP/a1" "$n" >"$TMP/add"
# 37 before 2026-11-30, 19 after, of which its own 29 and 13:
# docs/hotmemd.md says which
at_most "an ADD uevent, rescans' listings left out ($n single DIMMs)" "$TMP/add" own 13.5
done_testing
