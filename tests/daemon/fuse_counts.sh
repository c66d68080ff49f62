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
# fuse_binding_race FILE: of fuse_delta's per-ADD counts in FILE, what the
# ADDs that met their DIMM's binding halfway asked more: the kernel binds a
# DIMM after __add_memory() (acpi_memory_enable_device()), hotmemfs too
# since bc9f32fd, and under load hotmemd often takes an ADD first; it then
# reads memoryN/'s firmware_node again, a GETATTR of memoryN/ and one or
# two LOOKUPs more.  Counted above an ADD's own GETATTR and 2 LOOKUPs, the
# LOOKUPs at most two a GETATTR (0-5 of 8 ADDs raced at load 12-17: up to
# 1.87 an ADD).  FUSE_RACE_MAX: what the tests forgive, 6 ADDs of 8 at 3
# each -- a GETATTR and two LOOKUPs more at EVERY ADD (3.0) still fails
# (finalJ J3); the log cannot count the races: an ADD whose listing the
# binding invalidated asks its 2 more without hotmemd noticing.
FUSE_RACE_MAX=2.25
fuse_binding_race() {
	awk '$1 == "GETATTR" { g = $2 - 1 } $1 == "LOOKUP" { l = $2 - 2 }
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
# fuse_own FILE: FILE's total without fuse_binding_race's
fuse_own() {
	awk -v r="$(fuse_binding_race "$1")" '$1 == "total" { printf "%.3f\n", $2 - r }' "$1"
}
