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
