#!/bin/bash
# hotmemctl status's Memory line prints its two numbers in one unit
# (abuse24 A7): the exact sizes of hmfs_size_str(), each in the largest
# unit that says it exactly, gave "total 1826424K, free 1736.5M" on the
# default profile.  Now the largest unit in which the total is 10 or
# more, one decimal, rounded; the numbers are status --json's pages.
. "$(dirname "$0")/lib.sh"
require_env

# memory_line PROFILE: the line status prints, and the one --json's pages
# give by the rule, one after the other
memory_line() {
	ctl status | grep '^Memory:'
	ctl --json status | python3 -c '
import json, sys
m = json.load(sys.stdin)["machine"]
a, b = m["total-pages"] << 12, m["free-pages"] << 12
u = 0
while u < 6 and a >> (10 * (u + 1)) >= 10:
    u += 1
def size(n):
    unit = 1 << (10 * u)
    tenths = (n * 10 + unit // 2) // unit
    return "%d.%d%s" % (tenths // 10, tenths % 10, "BKMGTPE"[u])
print("Memory:     total %s, free %s" % (size(a), size(b)))'
}

for p in default qemu-512m host-24g; do
	mount_fs "hotmemfs mounts ($p)" --fresh --profile "$p"
	out=$(memory_line)
	diag "$out"
	is "$(sed -n 1p <<<"$out")" "$(sed -n 2p <<<"$out")" "$p: total and free in one unit, rounded to a tenth"
	stop_fs
done
done_testing
