# shellcheck shell=bash
# tests/daemon/fuse_counts.sh, sourced after lib.sh: what hotmemd asks a
# hotmemfs, counted by FUSE opcode (hotmemctl status --json, "fuse") --
# counts, never times.
# fuse_ops CTL-SOCKET: the counts so far, "OPCODE N" lines, sorted
fuse_ops() {
	"$CTL" -s "$1" status --json | python3 -c '
import json, sys
for k, v in sorted(json.load(sys.stdin)["fuse"]["by-opcode"].items()):
    print(k, v)'
}
# fuse_delta BEFORE AFTER N: "OPCODE PER-N" of what grew from file BEFORE
# to file AFTER (fuse_ops's), then "total PER-N"
fuse_delta() {
	python3 - "$1" "$2" "$3" <<'EOF'
import sys
def load(p):
    return {k: int(v) for k, v in (l.split() for l in open(p))}
a, b, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
tot = 0
for k in sorted(b):
    g = b[k] - a.get(k, 0)
    if g:
        print("%s %.2f" % (k, g / n))
        tot += g
print("total %.2f" % (tot / n))
EOF
}
# fuse_add_lookups LOG MARKS MEM: the LOOKUPs an ADD makes of its own,
# from hotmemfs's FUSE request log (LOG, -d) cut into one window an ADD at
# MARKS's line numbers (fuse_log_mark before the first ADD and after each,
# one a line): their mean over the windows without a GETATTR of a block's
# memoryK/ (MEM's), which an ADD that met its DIMM's binding asks
# (fuse_binding_race); if every window has one, the fewest of any (fewer
# races counted, never more).  Derived, not written down: 2 until
# 995d140e (memoryN, memory(N+1)), 5 since (its nodeK, firmware_node and
# state looked up by name), one fewer when there is no block below to
# guess the node from (docs/hotmemd.md "Where an ADD's time goes")
fuse_add_lookups() {
	stat -c '%i' "$3"/memory[0-9]* >"$TMP/lookups.inos" || return 1
	python3 - "$1" "$2" "$TMP/lookups.inos" <<'PY'
import re, sys
lines = open(sys.argv[1], errors="replace").read().split("\n")
marks = [int(l) for l in open(sys.argv[2]) if l.strip()]
dirs = {l.strip() for l in open(sys.argv[3])}
req = re.compile(r"opcode: (LOOKUP|GETATTR) \(\d+\), nodeid: (\d+),")
clean, every = [], []
for a, b in zip(marks, marks[1:]):
    found = [m.groups() for m in map(req.search, lines[a:b]) if m]
    lookups = sum(op == "LOOKUP" for op, _ in found)
    every.append(lookups)
    if not any(op == "GETATTR" and node in dirs for op, node in found):
        clean.append(lookups)
if not every:
    sys.exit("no ADD windows in " + sys.argv[2])
print("%.3f" % (sum(clean) / len(clean) if clean else min(every)))
PY
}
# fuse_binding_race FILE OWN: of fuse_delta's per-ADD counts in FILE, what
# the ADDs that met their DIMM's binding halfway asked more: the kernel
# binds a DIMM after __add_memory() (acpi_memory_enable_device()),
# hotmemfs too since bc9f32fd, and under load hotmemd often takes an ADD
# first; it then reads memoryN/'s firmware_node again, a GETATTR of
# memoryN/ and one or two LOOKUPs more.  Counted above an ADD's own
# GETATTR and its OWN LOOKUPs (fuse_add_lookups: counted as 2 until
# 2026-12-01, when an ADD made 5, so that any GETATTR more was taken for
# a race with two LOOKUPs, hiding own requests), the LOOKUPs at most two
# a GETATTR (0-5 of 8 ADDs raced at load 12-17: up to 1.87 an ADD).
# FUSE_RACE_MAX: what the tests forgive, 6 ADDs of 8 at 3 each -- a
# GETATTR and two LOOKUPs more at EVERY ADD (3.0) still fails (finalJ
# J3); the log cannot count the races: an ADD whose listing the binding
# invalidated asks its 2 more without hotmemd noticing.
FUSE_RACE_MAX=2.25
fuse_binding_race() {
	awk -v own="$2" '$1 == "GETATTR" { g = $2 - 1 } $1 == "LOOKUP" { l = $2 - own }
	END { if (g < 0) g = 0; if (l < 0) l = 0; if (l > 2 * g) l = 2 * g; printf "%.3f\n", g + l }' "$1"
}
# fuse_node_race FILE: of fuse_delta's per-ADD counts in FILE, the
# READDIRPLUS above an ADD's one: a block's node link comes after its ADD
# (6.12 add_memory_resource(); hotmemfs since 5b807734), and an ADD whose
# listing of memoryN/ came before it reads that listing to its end (an
# empty READDIRPLUS more) and lists memoryN/ again at its settle; one that
# waits for its firmware_node walks the ACPI devices (a READDIRPLUS).
# How often a settle meets a block still without its link is the load's:
# not bounded by a number an ADD (FUSE_NODE_RACE_MAX 2 was reached,
# 2.000, at load ~9 on 2026-12-01), but directory by directory from
# hotmemfs's own FUSE request log (tests/daemon/lib.sh fuse_dir_lists,
# fuse_lists_within): any READDIRPLUS a wait did not cost -- a relisting
# of memory/, of a block not waiting -- fails
fuse_node_race() {
	awk '$1 == "READDIRPLUS" { r = $2 - 1 } END { printf "%.3f\n", (r > 0 ? r : 0) }' "$1"
}
# fuse_add_own LOG MARKS MEM ADDS WAITED: an ADD's own requests from
# hotmemfs's FUSE request log (LOG, -d) cut into one window an ADD at
# MARKS's line numbers (fuse_add_lookups's): the mean of the windows whose
# ADD neither waited for a link (WAITED: block ids hotmemd said so of;
# ADDS: each window's block, in order) nor met its DIMM's binding (a
# GETATTR of a block's memoryK/, MEM's), how many those are, and each
# window's count (w: waited, r: raced); if none is clean, the fewest of
# any window (never more than an ADD's own).  Both
# cost the load's requests more, which whole counts took for the ADD's
# own: 12.75 an ADD on 4122 blocks against 12.00 on 17 at load 5.5 on
# 2026-12-01, two of eight waiting for their node link, where each such
# ADD cost 4 requests more (a GETATTR, READs of the settle's decision,
# a LOOKUP fewer).  A STATFS is not counted: the sysroot watch's tick
# asks it (every 3 s, none after a tick that saw a block onlined), and
# under load a tick falls inside an ADD's window (90 counts them against
# the ticks).
fuse_add_own() {
	stat -c '%i' "$3"/memory[0-9]* >"$TMP/own.inos" || return 1
	python3 - "$1" "$2" "$TMP/own.inos" "$4" "$5" <<'PY'
import re, sys
lines = open(sys.argv[1], errors="replace").read().split("\n")
marks = [int(l) for l in open(sys.argv[2]) if l.strip()]
dirs = {l.strip() for l in open(sys.argv[3])}
adds = [l.strip() for l in open(sys.argv[4]) if l.strip()]
waited = {l.strip() for l in open(sys.argv[5]) if l.strip()}
req = re.compile(r"opcode: (\w+) \(\d+\), nodeid: (\d+),")
clean, every, said = [], [], []
for k, (a, b) in enumerate(zip(marks, marks[1:])):
    found = [m.groups() for m in map(req.search, lines[a:b]) if m]
    found = [(op, node) for op, node in found if op != "STATFS"]
    every.append(len(found))
    raced = any(op == "GETATTR" and node in dirs for op, node in found)
    wait = k >= len(adds) or adds[k] in waited
    said.append("%d%s%s" % (len(found), "w" if wait else "", "r" if raced else ""))
    if not raced and not wait:
        clean.append(len(found))
if not every:
    sys.exit("no ADD windows in " + sys.argv[2])
print("%.3f %d %s" % (sum(clean) / len(clean) if clean else min(every), len(clean), ",".join(said)))
PY
}
# fuse_link_waits FILE: the blocks hotmemd's debug log FILE says waited
# for a link (its node link or its firmware_node), one id a line, for
# fuse_add_own's WAITED
fuse_link_waits() {
	sed -n 's/.*memory\([0-9]*\): no \(node link\|firmware_node\) yet.*/\1/p' "$1" | sort -u
}
