#!/bin/bash
# `hotmem --profile X` and `hotmemfs --profile X` answer a profile they
# cannot take with one and the same message (#13.5): neither built in nor
# a file, a directory, a bad key in a file.
set -u
B=${HOTMEM_BUILD:-build}
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
. "$(dirname "$0")/../need.sh"
[ -x "$B/hotmem" ] && [ -x "$B/hotmemfs" ] || need_whole_skip "hotmem, hotmemfs not built"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/mnt" "$tmp/adir"
printf 'bogus_key = 1\n' >"$tmp/bad.conf"
# check NAME PROFILE WANT: both refuse (exit != 0) with WANT after "PROG: "
check() {
	local hm fs rc1 rc2
	hm=$("$B/hotmem" --profile "$2" status 2>&1 >/dev/null); rc1=$?
	# -S none: never the host's default state file (/var/lib/hotmem), even for a start refused;
	# --control: nor the host's /run/hotmem, whose making a first start on a fresh host says
	# on stderr before a boot refused (the fresh-clone CI of 2026-12-01, check 7)
	# bounded: a profile taken by mistake mounts and would serve forever
	fs=$(timeout 60 "$B/hotmemfs" -S none --control "$tmp/ctl.sock" --profile "$2" "$tmp/mnt" \
		2>&1 >/dev/null); rc2=$?
	if [ $rc1 -ne 0 ] && [ $rc2 -ne 0 ] && [ "$hm" = "hotmem: $3" ] && [ "$fs" = "hotmemfs: $3" ]; then
		ok "$1: both say '$3'"
	else
		notok "$1: both say '$3'" "hotmem (rc $rc1): $hm" "hotmemfs (rc $rc2): $fs"
	fi
}
check "unknown name" nope \
	"profile 'nope': no built-in profile or file of that name (hotmem --list-profiles names the built-in ones)"
check "missing file" "$tmp/none.conf" \
	"profile '$tmp/none.conf': no built-in profile or file of that name (hotmem --list-profiles names the built-in ones)"
check "a directory" "$tmp/adir" "profile '$tmp/adir': is a directory, not a profile file"
KEYS="profile, name, block_size, max_physmem_bits, maxmem, qemu_maxmem, nodes, cpu_nodes, distance, slots, device_memory, ram, e820, probe, memory_failure, crash_hotplug, pm_advanced_debug, init_threads, kernel_alloc, kernel_alloc_seed, cmdline, kernel_image, initrd, brk, realmode, swiotlb, boot_reserved, hotplug, virtio_mem, online, offline, debug_fail_memmap_section"
check "a bad key: the keys named" "$tmp/bad.conf" "$tmp/bad.conf: line 1: unknown key 'bogus_key' (known: $KEYS)"
# the keys a profile takes come from one table (config.c profile_keys[]):
# docs/profile.md describes each
SRC=${HOTMEM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
missing=
for k in ${KEYS//,/}; do
	grep -q "^| \`$k\` |" "$SRC/docs/profile.md" || missing="$missing $k"
done
[ -z "$missing" ] && ok "docs/profile.md describes every key hotmem names" ||
	notok "docs/profile.md describes every key hotmem names" "missing:$missing"
printf 'profile = default\nonline = 4x online_movable\n' >"$tmp/online.conf"
check "a bad online line" "$tmp/online.conf" "$tmp/online.conf: line 2: online: bad block range '4x': FIRST[-LAST], block numbers decimal as in memoryN, without a leading 0"
printf 'profile = default\nhotplug = 0x100000000-0x107ffffff\nonline = 32 online_movable\nonline = 32\n' >"$tmp/twice.conf"
check "a block onlined twice" "$tmp/twice.conf" "cannot boot the machine: online memory32 online: Invalid argument"
# a built-in after a setting would load a whole machine over it (memory_failure
# lost, said nowhere): refused, naming the line
printf '# mine\nmemory_failure = yes\nprofile = qemu-512m\n' >"$tmp/late.conf"
check "profile after a setting" "$tmp/late.conf" \
	"$tmp/late.conf: line 3: 'profile =' must come before other settings: it loads a whole machine"
# a start refused for its own --profile or --cmdline touches nothing: not even the
# state file's directory or lock (the default one is the host's /var/lib/hotmem)
timeout 60 "$B/hotmemfs" -S "$tmp/sd/st" --profile nope "$tmp/mnt" 2>/dev/null
timeout 60 "$B/hotmemfs" -S "$tmp/sd/st" --cmdline memhp_default_state=bogus "$tmp/mnt" 2>/dev/null
[ ! -e "$tmp/sd" ] && ok "a refused --profile or --cmdline leaves the state file's place untouched" ||
	notok "a refused --profile or --cmdline leaves the state file's place untouched" "$(ls -la "$tmp/sd")"
# a machine the profile cannot boot: its control socket's directory is not made
# either (the default /run/hotmem; it was, and said so on stderr, before the boot)
timeout 60 "$B/hotmemfs" -S none --control "$tmp/cd/ctl.sock" --profile "$tmp/twice.conf" \
	"$tmp/mnt" 2>"$tmp/cd.err"
[ ! -e "$tmp/cd" ] && ! grep -q "directory" "$tmp/cd.err" &&
	ok "a boot refused leaves the control socket's directory unmade" ||
	notok "a boot refused leaves the control socket's directory unmade" "$(cat "$tmp/cd.err")"
echo "1..$n"
