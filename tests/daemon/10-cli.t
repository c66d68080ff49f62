#!/bin/bash
# hotmemd command line: --help, --check-config (file:line errors), --dry-run.
. "$(dirname "$0")/lib.sh"
need_hotmemd

out=$("$HOTMEMD" --help)
check "--help lists every key as an option" grep -q -- '--auto-movable-ratio=VALUE' <<<"$out"
# abuse25a B7: it said EBUSY/EAGAIN and err..debug, where EINTR is retried
# too and emerg, alert and crit are taken
check "--help: --retry-max retries on EBUSY/EAGAIN/EINTR" grep -q 'retries on EBUSY/EAGAIN/EINTR ' <<<"$out"
check "--help: --log-level takes emerg|alert|crit|err|warning|notice|info|debug" \
	grep -q 'emerg|alert|crit|err|warning|notice|info|debug' <<<"$out"
check "--version" bash -c "'$HOTMEMD' --version | grep -q '^hotmemd [0-9]'"

conf=$TMP/hotmemd.conf
cat >"$conf" <<'CONF'
[hotmemd]
policy = online_movable
auto_movable_ratio = 200
[node1]
policy = offline
CONF
mkdir -p "$conf.d"
printf '[hotmemd]\nretry_max = 9\n' >"$conf.d/50-local.conf"
out=$("$HOTMEMD" --config "$conf" --check-config --memory-groups=contiguous 2>"$TMP/err")
rc=$?
is "$rc" 0 "--check-config accepts a good file"
check "effective config shows file, drop-in and option" \
	bash -c 'grep -q "^policy = online_movable" <<<"$1" && grep -q "^retry_max = 9" <<<"$1" &&
		 grep -q "^memory_groups = contiguous" <<<"$1" && grep -q "^\[node1\]" <<<"$1"' _ "$out"

printf '[hotmemd]\npolicy = sideways\n\nauto_movable_ratio = -3\n' >"$conf.d/60-bad.conf"
"$HOTMEMD" --config "$conf" --check-config >/dev/null 2>"$TMP/err"
rc=$?
is "$rc" 1 "--check-config refuses a bad drop-in"
check "error names file and line 2" grep -q "60-bad.conf:2: unknown policy 'sideways'" "$TMP/err"
check "error names file and line 4" grep -q "60-bad.conf:4: '-3' is not a ratio" "$TMP/err"
"$HOTMEMD" --config "$conf" --oneshot --sysroot "$TMP" >/dev/null 2>&1
is "$?" 78 "a bad configuration stops the daemon (exit 78, EX_CONFIG)"
rm "$conf.d/60-bad.conf"
"$HOTMEMD" --config "$TMP/missing.conf" --check-config >/dev/null 2>&1
is "$?" 1 "an explicit --config that is missing is an error"
"$HOTMEMD" --config "$conf" --check-config --no-such-option >/dev/null 2>&1
is "$?" 2 "unknown option: usage error"

# a bad option at start: "hotmemd: error: " as every other error (usereye4 #8)
"$HOTMEMD" --config /dev/null --sysroot "$TMP" --policy bogus --oneshot >/dev/null 2>"$TMP/err"
is "$?" 78 "--policy bogus --oneshot: exit 78"
check "... 'hotmemd: error: command line: policy: unknown policy'" grep -qx \
	"hotmemd: error: command line: policy: unknown policy 'bogus' (offline, online, online_kernel, online_movable or auto-movable)" \
	"$TMP/err"
"$HOTMEMD" --config /dev/null --policy bogus --check-config >/dev/null 2>"$TMP/err"
check "... the same line from --check-config" \
	grep -q "^hotmemd: error: command line: policy: unknown policy 'bogus'" "$TMP/err"

# --node-policy: a node past [node63] is out of range, not bad syntax (usereye4 #27)
"$HOTMEMD" --config /dev/null --check-config --node-policy 64=online >/dev/null 2>"$TMP/err"
is "$?" 2 "--node-policy 64=online: usage error"
check "... says the node is out of range" \
	grep -qx "hotmemd: --node-policy '64=online': node 64 is out of range (0..63)" "$TMP/err"
"$HOTMEMD" --config /dev/null --check-config --node-policy online >/dev/null 2>"$TMP/err"
check "--node-policy online: wants N=POLICY" grep -q "wants N=POLICY, got 'online'" "$TMP/err"

# a policy for a node this machine cannot have (node/possible 0-3): said, kept
root=$TMP/root-possible
mk_sysroot "$root"
mk_blocks "$root" 0 7 online Normal
mkdir -p "$root/sys/devices/system/node"
echo 0-3 >"$root/sys/devices/system/node/possible"
"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state-possible" --oneshot \
	--dry-run --netlink=no --node-policy 7=online --node-policy 3=offline >/dev/null 2>"$TMP/err"
is "$?" 0 "--node-policy 7=online on a machine of nodes 0-3: started"
check "... warns node 7 is not possible here" grep -qx \
	"hotmemd: warning: node 7 is not possible here (possible: 0-3): policy online kept for a machine that has it" \
	"$TMP/err"
check "... and nothing of node 3" bash -c '! grep -q "node 3 is not possible" "$1"' _ "$TMP/err"

# --dry-run on a fake 8 GiB machine with 200 hot-added 128 MiB blocks
root=$TMP/root
mk_sysroot "$root"
mk_blocks "$root" 0 63 online Normal
zone_add "$root" 0 Normal 2097152
zone_add "$root" 0 Movable 0
mk_blocks "$root" 64 263 offline "Normal Movable"
out=$("$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" \
	--oneshot --dry-run --netlink=no 2>"$TMP/err")
is "$?" 0 "--dry-run --oneshot exits 0"
is "$(grep -c ' online_movable Movable ' <<<"$out")" 192 "dry run: 24 GiB Movable for 8 GiB kernel (ratio 301)"
is "$(grep -c ' online_kernel Normal ' <<<"$out")" 8 "dry run: the rest to Normal"
check "dry run says why" grep -q "^memory256 online_kernel Normal auto-movable: all nodes: movable 6291456 + 32768 pages exceeds 301% of kernel early 2097152" <<<"$out"
is "$(state "$root" 64)" offline "dry run wrote nothing"
"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" --oneshot \
	--dry-run --auto-movable-ratio=kernel 2>"$TMP/err" | grep -c online_movable >"$TMP/n"
is "$(cat "$TMP/n")" 192 "auto_movable_ratio = kernel reads the module parameter"

# a dry run reads the boot-memory anchor (state_dir/boot-blocks) but never
# makes one: the real daemon's next start trusts it as boot memory, and here
# blocks 64-71 were hot-added and onlined to Normal after boot (usereye3 #17)
root=$TMP/root-anchor
mk_sysroot "$root"
mk_blocks "$root" 0 71 online Normal
zone_add "$root" 0 Normal 2359296
mk_blocks "$root" 72 271 offline "Normal Movable"
"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/anchor" --oneshot \
	--dry-run --netlink=no >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "dry run without an anchor exits 0"
check "... creates no state_dir/boot-blocks" test ! -e "$TMP/anchor/boot-blocks"
check "... and says so" grep -q "dry run: boot memory not recorded in $TMP/anchor/boot-blocks" "$TMP/err"
mkdir -p "$TMP/anchor"
printf '0-63\nnode 0 kernel_offset 0 movable_offset 0\n' >"$TMP/anchor/boot-blocks"
cp -p "$TMP/anchor/boot-blocks" "$TMP/anchor.orig"
"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/anchor" --oneshot \
	--dry-run --netlink=no >"$TMP/out" 2>"$TMP/err"
check "dry run reads an existing anchor (64-71 are not boot memory)" \
	grep -q "^memory264 online_kernel Normal auto-movable: all nodes: movable 6291456 + 32768 pages exceeds 301% of kernel early 2097152" "$TMP/out"
check "... and leaves it as it was" cmp -s "$TMP/anchor/boot-blocks" "$TMP/anchor.orig"
check "... not even rewritten" test ! "$TMP/anchor/boot-blocks" -nt "$TMP/anchor.orig"
check "... state_dir holds nothing else" test "$(ls "$TMP/anchor")" = boot-blocks

# --oneshot while an ACPI memory device is present but unbound: the blocks it
# finds without a firmware_node wait for the link (0.5 s at most, it never
# comes here), then are decided alone before hotmemd exits
root=$TMP/root2
mk_sysroot "$root"
mk_blocks "$root" 0 63 online Normal
zone_add "$root" 0 Normal 2097152
mk_blocks "$root" 64 71 offline "Normal Movable"
mkdir -p "$root/sys/bus/acpi/devices/PNP0C80:00"
echo 15 >"$root/sys/bus/acpi/devices/PNP0C80:00/status"
"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state2" --oneshot \
	--log-level debug 2>"$TMP/err"
is "$?" 0 "--oneshot with an unbound ACPI memory device exits 0"
check "... its blocks waited for their firmware_node" \
	grep -q "memory64: no firmware_node yet" "$TMP/err"
is "$(for i in $(seq 64 71); do state "$root" "$i"; done | sort -u)" online_movable \
	"... and were onlined before it exited"

done_testing
