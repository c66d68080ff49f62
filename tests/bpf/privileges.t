#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotmem-trace without the privileges it needs says exactly which, and
# exits 77 (EX_NOPERM) before loading anything: by the capabilities the
# kernel checks (CAP_BPF and CAP_PERFMON, CAP_SYS_ADMIN for uprobes on
# kernels that ask it), not by the uid -- root without them (a
# container's, a unit's bounding set) is told the same as a user, and a
# user given them gets as far as the kernel lets it.  usereye4: `--no-pin`
# without root.  Needs root (to drop to nobody) and setpriv.
. "$(dirname "$0")/lib.sh"
HM=$(cd "$B" && pwd)/hotmem

need_bpf "$HM"
need_tool setpriv util-linux
echo "1..7"
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
CAPS="--inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon"

$NOBODY --inh-caps=-all "$HT" --no-pin -d 1 -e "$HM" > /dev/null 2> "$tmp/user.err"
rc=$?
diag < "$tmp/user.err"
[ $rc = 77 ] && grep -q "^hotmem-trace: not permitted: loading BPF programs needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN), and this process has neither$" "$tmp/user.err" &&
	grep -q "^hotmem-trace: run it as root: sudo hotmem-trace" "$tmp/user.err"
ok $? "a user, --no-pin: exit 77, names CAP_BPF and CAP_PERFMON, or root"
[ "$(wc -l < "$tmp/user.err")" = 2 ]
ok $? "and nothing else: no loader's error after it"

# root whose bounding set has nothing: uid 0, no capability
setpriv --inh-caps=-all --bounding-set=-all "$HT" --no-pin -d 1 -e "$HM" > /dev/null 2> "$tmp/root.err"
rc=$?
diag < "$tmp/root.err"
[ $rc = 77 ] && grep -q "needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN), and this process has neither" "$tmp/root.err"
ok $? "root without capabilities: exit 77, the same words (was: nothing could be traced, exit 1)"

$NOBODY --inh-caps=+bpf --ambient-caps=+bpf "$HT" --no-pin -d 1 -e "$HM" > /dev/null 2> "$tmp/bpf.err"
rc=$?
[ $rc = 77 ] && grep -q "and this process has no CAP_PERFMON$" "$tmp/bpf.err"
ok $? "CAP_BPF alone: exit 77, names CAP_PERFMON"

# the capabilities, pinning where nobody may write
mkdir "$tmp/ro"
$NOBODY $CAPS "$HT" -p "$tmp/ro/pins" -d 1 -e "$HM" > /dev/null 2> "$tmp/pin.err"
rc=$?
diag < "$tmp/pin.err"
[ $rc = 77 ] && grep -q "^hotmem-trace: not permitted: pinning the maps in $tmp/ro/pins needs write access to $tmp/ro, which uid 65534 lacks: run it as root, or add --no-pin$" "$tmp/pin.err"
ok $? "CAP_BPF and CAP_PERFMON, an unwritable pin directory: exit 77, says so and --no-pin"

# the capabilities, the engine's USDT probes: this kernel may ask CAP_SYS_ADMIN
$NOBODY $CAPS "$HT" --no-pin -d 1 -e "$HM" > /dev/null 2> "$tmp/usdt.err"
rc=$?
diag < "$tmp/usdt.err"
if grep -q "ready:" "$tmp/usdt.err"; then
	[ $rc = 0 ]
	ok $? "CAP_BPF and CAP_PERFMON: this kernel lets them attach uprobes, exit 0"
else
	[ $rc = 77 ] && grep -q "^hotmem-trace: not permitted: attaching the engine's USDT probes (uprobes) needs CAP_SYS_ADMIN on this kernel, and this process lacks it: run it as root$" "$tmp/usdt.err"
	ok $? "CAP_BPF and CAP_PERFMON, uprobes refused: exit 77, names CAP_SYS_ADMIN"
fi

# the capabilities, the kernel side: its tracepoints are attached by ids that tracefs may keep to root
$NOBODY $CAPS "$HT" --no-pin -d 1 -k > /dev/null 2> "$tmp/kernel.err"
rc=$?
diag < "$tmp/kernel.err"
if grep -q "ready:" "$tmp/kernel.err"; then
	[ $rc = 0 ] && ! grep -q "Permission denied" "$tmp/kernel.err"
	ok $? "CAP_BPF and CAP_PERFMON, --kernel: attached, exit 0"
else
	[ $rc = 77 ] && grep -q "^hotmem-trace: not permitted: attaching the kernel's tracepoints needs read access to tracefs's event ids (.*/events), which this process lacks: run it as root$" "$tmp/kernel.err"
	ok $? "CAP_BPF and CAP_PERFMON, --kernel, tracefs refused: exit 77, says so (was: ready, nothing attached, exit 0)"
fi
done_testing
