#!/bin/bash
# hotmem-conform's own events against its own machines (usereye7 #5): the
# full matrix's every event on every machine it runs on, once, with one
# agent (hotmemd's online_movable, the kernel leaving the blocks offline):
# each plugs what the machine can take -- a 4 GiB virtio-mem device did
# not fit qemu-512m's 3.5 GiB of device memory, and every agent's
# qemu-512m virtio-grow-shrink cell was a VIOLATION "no new blocks
# appeared" (20-conform.t runs --reduced, dimm1 on qemu-512m, only).
# And an event the emulated machine refuses (a hotmemctl that fails) is
# the matrix's own error, said with hotmemctl's message: the cell not
# run, no violation of the agent, exit status 3 -- 1 when a cell also
# violated; the refusal was swallowed and the agent blamed.
. "$(dirname "$0")/../fusefs/lib.sh"
need_conform
need_tool /lib/systemd/systemd-udevd udev
need_tool jq jq

# every event x machine pair of the full matrix (conform_main.c fits()),
# one setting, one agent: 15 cells, about 30 s on 2 cores
"$CONFORM" --full --only '^hotmemd:online_movable offline ' --json "$TMP/all.json" \
	>"$TMP/all" 2>"$TMP/err"
is "$?" 0 "every event on every machine, hotmemd online_movable: exit status 0"
sed 's/^/# /' "$TMP/all"
is "$(jq -r '.[] | "\(.machine) \(.event)"' "$TMP/all.json" 2>&1 | sort | tr '\n' ' ')" \
	"big-640g burst1024 big-640g dimm1 big-640g dimm64 big-640g virtio-grow-shrink host-24g dimm1 host-24g dimm64 host-24g virtio-grow-shrink numa2 dimm1 numa2 dimm64 numa2 virtio-grow-shrink numa2-ml dimm1 numa2-ml dimm64 numa2-ml virtio-grow-shrink qemu-512m dimm1 qemu-512m virtio-grow-shrink " \
	"the cells: each of the four events on each machine it fits"
jq -e 'all(.[]; .error == "" and (.violation | not) and (.outcome | has("event_refused") | not))' \
	"$TMP/all.json" >/dev/null
tap_ok $? "no cell an error or a violation, no event refused"
jq -e 'all(.[]; .outcome.new > 0 and .outcome.online == .outcome.new)' "$TMP/all.json" >/dev/null
tap_ok $? "each event added blocks and the agent onlined them all"
row=$(grep -E '^hotmemd:online_movable +offline +qemu-512m +virtio-grow-shrink ' "$TMP/all")
echo "$row" | grep -qE ' 8/8 +Movable:8 .* ✓$'
tap_ok $? "qemu-512m virtio-grow-shrink: 1 GiB grown to 2 GiB and shrunk back, 8/8 Movable, ✓"
[ "$T_FAIL" -gt 0 ] && sed 's/^/# err: /' "$TMP/err" | tail -20

# A hotmemctl inside the machines that refuses as hotmemfs does (stderr,
# exit status 1) when $TMP/refuse names the command (and, with
# $TMP/refuse-online, only under memhp_default_state=online*); the rest
# goes to the real one.  hotmem-enter's wrapper puts it first on PATH.
mkdir -p "$TMP/fake"
cat >"$TMP/fake/hotmemctl" <<EOF
#!/bin/sh
if [ "\$1" = "\$(cat $TMP/refuse 2>/dev/null)" ] &&
	{ [ ! -e $TMP/refuse-online ] || grep -q 'memhp_default_state=online' /proc/cmdline; }; then
	echo "hotmemctl: error: not enough space, currently 0x0 in use of total space for memory devices 0x1 (the test refuses \$1)" >&2
	exit 1
fi
exec $HOTMEM_BUILD/hotmemctl "\$@"
EOF
printf '#!/bin/bash\na=(); while [ "$1" != -- ]; do a+=("$1"); shift; done; shift\nexec %s "${a[@]}" -- env PATH=%s:%s:"$PATH" "$@"\n' \
	"$HOTMEM_BUILD/hotmem-enter" "$TMP/fake" "$HOTMEM_BUILD" >"$TMP/enter"
chmod +x "$TMP/fake/hotmemctl" "$TMP/enter"
bash -n "$TMP/fake/hotmemctl" && bash -n "$TMP/enter"
tap_ok $? "the refusing hotmemctl and the hotmem-enter wrapper parse"

# the DIMM refused: the cell is the matrix's error, never the agent's
echo device_add >"$TMP/refuse"
HOTMEM_ENTER=$TMP/enter "$CONFORM" --reduced --only '^classic-rule offline ' --json "$TMP/dimm.json" \
	>"$TMP/dimm" 2>>"$TMP/err"
is "$?" 3 "a refused device_add: exit status 3, the matrix's own error"
sed 's/^/# /' "$TMP/dimm"
grep -qE "^classic-rule +offline +qemu-512m +dimm1 +-/- +- +-/- +- +- +- .*✗ the machine refused the event: hotmemctl device_add pc-dimm size=1G id=d1: exit status 1: hotmemctl: error: not enough space, currently 0x0 in use of total space for memory devices 0x1 \(the test refuses device_add\) \[ERROR: event refused: hotmem-conform's own matrix, no verdict on the agent\]$" "$TMP/dimm"
tap_ok $? "its row: not run (no counts), the command and hotmemctl's message, an ERROR of the matrix"
! grep -q 'VIOLATION\|no new blocks' "$TMP/dimm"
tap_ok $? "no VIOLATION, no 'no new blocks appeared'"
grep -qx "matrix error: classic-rule offline qemu-512m dimm1" "$TMP/dimm"
tap_ok $? "the cell is listed as a matrix error, as --only takes it"
tail -1 "$TMP/dimm" | grep -qE "^1 cells in [0-9]+ s: 0 ✓, 0 ~ \(failed as expected\), 0 violating the expectation, 1 not run \(the machine refused the matrix's event: hotmem-conform's own error\)$"
tap_ok $? "the summary counts it apart from the agents' verdicts and errors"
jq -e '.[0] | .error == "event refused: hotmem-conform'"'"'s own matrix, no verdict on the agent" and (.violation | not)
	and (.outcome.event_refused | test("^hotmemctl device_add pc-dimm size=1G id=d1: exit status 1: hotmemctl: error: not enough space"))
	and (.outcome | has("new") | not)' "$TMP/dimm.json" >/dev/null
tap_ok $? "JSON: error, no violation, the outcome's event_refused"

# a later step of an event refused (virtio-grow-shrink's grow): the same
echo qom-set >"$TMP/refuse"
HOTMEM_ENTER=$TMP/enter "$CONFORM" --full --only '^classic-rule offline qemu-512m virtio-grow-shrink$' \
	>"$TMP/grow" 2>>"$TMP/err"
is "$?" 3 "a refused qom-set (the grow): exit status 3"
sed 's/^/# /' "$TMP/grow"
grep -qE "✗ the machine refused the event: hotmemctl qom-set vm0 requested-size 2G: exit status 1: hotmemctl: error: .* \[ERROR: event refused: " "$TMP/grow"
tap_ok $? "its row names the step the machine refused"

# --cell itself: exit status 3, the outcome event_refused, hotmemctl's words on stderr
echo device_add >"$TMP/refuse"
"$TMP/enter" --profile qemu-512m -- "$CONFORM" --cell none dimm1 >"$TMP/cell" 2>"$TMP/cell.err"
is "$?" 3 "--cell with its event refused: exit status 3"
tail -1 "$TMP/cell" | jq -e 'keys == ["event_refused"]' >/dev/null
tap_ok $? "its outcome is event_refused alone: $(tail -1 "$TMP/cell")"
grep -q "^hotmemctl: error: not enough space.*(the test refuses device_add)$" "$TMP/cell.err" &&
	grep -q "^hotmem-conform: cell: the machine refused the event: hotmemctl device_add " "$TMP/cell.err"
tap_ok $? "hotmemctl's stderr and the step that says it are in the cell's log"

# a violation beside a refused event: exit status 1, each listed as what it is
touch "$TMP/refuse-online"
echo device_add >"$TMP/refuse"
printf '%s\n' 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}="online"' >"$TMP/80-mine.rules"
HOTMEM_ENTER=$TMP/enter "$CONFORM" --reduced --rules "$TMP/80-mine.rules" >"$TMP/mixed" 2>>"$TMP/err"
is "$?" 1 "a violation and a refused event: exit status 1"
sed 's/^/# /' "$TMP/mixed"
grep -qx "violating: rules:80-mine.rules offline qemu-512m dimm1" "$TMP/mixed" &&
	grep -qx "matrix error: rules:80-mine.rules online qemu-512m dimm1" "$TMP/mixed"
tap_ok $? "the violation and the matrix error each listed"
tail -1 "$TMP/mixed" | grep -q ", 1 violating the expectation, 1 not run (the machine refused the matrix's event"
tap_ok $? "the summary counts both"
[ "$T_FAIL" -gt 0 ] && sed 's/^/# err: /' "$TMP/err" | tail -20
done_testing
