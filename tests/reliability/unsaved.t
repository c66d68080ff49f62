#!/bin/bash
# A change that cannot be made durable fails and is undone (#16.2).
# The state file lives on a small tmpfs that is then filled (ENOSPC), and
# later hotmemfs's descriptor limit is lowered to what it holds (prlimit,
# EMFILE).  Every change kind a client makes (device_add, a memoryN/state
# write, device_del, an auto_online_blocks write) is tried over and over:
# each one is either acknowledged, and then survives kill -9, or refused
# with the reason, and then the machine is exactly as before it.  Never
# acknowledged and lost: after each phase hotmemfs is killed with -9 and
# restarted on the same state file, and the machine must be the one the
# last acknowledged change left.
. "$(dirname "$0")/lib.sh"
require_env
need_tool prlimit util-linux
state_on_small_tmpfs hotmem-unsaved
M=$MNT/sys/devices/system/memory
# an idle kernel: nothing allocates into the blocks, so every undo can offline
# QEMU's maximum of DIMM slots: the phases below add DIMMs again and again,
# more than qemu-512m's four slots (-m 512M,slots=4) would take
cat >"$TMP/slots.profile" <<'PROF'
profile = qemu-512m
name = qemu-512m-slots
slots = 256
PROF
OPTS=(--profile "$TMP/slots.profile" --cmdline hotmem.kernel_alloc=off)

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with 256 DIMM slots, its state file on a 256k tmpfs"
for i in 1 2 3 4 5 6; do ctl device_add pc-dimm id=p$i size=128M >/dev/null || break; done
tap_ok $? "six DIMMs to delete later"
echo online_movable >"$M/memory32/state"
tap_ok $? "memory32 online_movable"
ctl device_add virtio-mem-pci id=vm0 size=512M requested-size=128M >/dev/null
tap_ok $? "a virtio-mem device, 128M of 512M plugged"
EXPECT=$(snapshot)

# attempt CMD...: one change.  Acknowledged: it becomes what a restart
# must bring back.  Refused: nothing may have changed.
ACKED=0 REFUSED=0 DIRTY=0
attempt() {
	local before after
	before=$(snapshot)
	if "$@" >/dev/null 2>"$TMP/err"; then
		ACKED=$((ACKED + 1))
		EXPECT=$(snapshot)
		return 0
	fi
	REFUSED=$((REFUSED + 1))
	after=$(snapshot)
	if [ "$after" != "$before" ]; then
		DIRTY=$((DIRTY + 1))
		diag "refused but changed: $*"
		diff -u <(echo "$before") <(echo "$after") | head -20 | sed 's/^/#   /'
	fi
	return 1
}
state_write() { echo "$2" >"$M/memory$1/state"; }
auto_write() { echo "$1" >"$M/auto_online_blocks"; }

# each_kind WHY: every change kind until it is refused (at most 10 tries:
# the disk is full, so the first save should fail)
each_kind() {
	local why=$1 n i
	for kind in device_add state device_del auto_online resize virtio_add; do
		REFUSED=0 DIRTY=0
		for ((n = 0; n < 10 && REFUSED == 0; n++)); do
			case $kind in
			device_add) attempt ctl device_add pc-dimm id=a$n size=128M &&
				attempt ctl device_del a$n ;;
			state) attempt state_write 33 online_movable &&
				attempt state_write 33 offline ;;
			device_del)
				for ((i = 1; i <= 6; i++)); do
					ctl --json devices | grep -q "\"p$i\"" || continue
					attempt ctl device_del p$i &&
						attempt ctl device_add pc-dimm id=p$i size=128M
					break
				done ;;
			auto_online) attempt auto_write online && attempt auto_write offline ;;
			resize) attempt ctl set-size vm0 384M && attempt ctl set-size vm0 128M ;;
			virtio_add)
				attempt ctl device_add virtio-mem-pci id=v$n size=256M requested-size=128M &&
					attempt ctl set-size v$n 0 && attempt ctl device_del v$n ;;
			esac
		done
		[ $REFUSED -gt 0 ] && grep -q "$why" "$TMP/err"
		tap_ok $? "$kind: refused ($(head -c 120 "$TMP/err" | tr '\n' ' '))"
		is "$DIRTY" 0 "... and each refused $kind left the machine as it was"
	done
}

# restart_same NAME: kill -9, restart on the same state file, compare
restart_same() {
	kill9_fs
	start_fs_netns "${OPTS[@]}"
	tap_ok $? "$1: hotmemfs restarts after kill -9"
	same_text "$(snapshot)" "$EXPECT" "... with every acknowledged change and nothing else"
}

# ---- the disk is full ---------------------------------------------------
fill_sd
each_kind "No space left on device"
diag "disk full: $ACKED changes acknowledged in all"
restart_same "disk full"
rm -f "$SD/fill" "$SD/fill2"

# ---- out of file descriptors -----------------------------------------------
# A new descriptor is the lowest free one, and must be below the limit:
# the limit is the lowest free one plus one, so that one is left, for the
# control connection.  Saving appends to the journal hotmemfs holds open,
# so changes may well be acknowledged: they must survive all the same, and
# whatever is refused must have changed nothing.
nfd=$(ls /proc/"$FS_PID"/fd | wc -l)
free=$(ls /proc/"$FS_PID"/fd | sort -n | awk '$1 != NR - 1 { print NR - 1; f = 1; exit } END { if (!f) print NR }')
lim=$((free + 1))
prlimit --pid "$FS_PID" --nofile=$lim:$lim
tap_ok $? "hotmemfs's descriptor limit lowered to $lim ($nfd open, $free the lowest free)"
ACKED=0 REFUSED=0 DIRTY=0
for ((n = 0; n < 4; n++)); do
	attempt ctl device_add pc-dimm id=e$n size=128M
	attempt state_write 34 online_movable
	attempt state_write 34 offline
	attempt ctl device_del e$n
	attempt auto_write online
done
diag "EMFILE: $ACKED acknowledged, $REFUSED refused ($(head -c 100 "$TMP/err" | tr '\n' ' '))"
is "$DIRTY" 0 "EMFILE: each refused change left the machine as it was"
restart_same "EMFILE"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
