#!/bin/bash
# hotmemd under real systemd: a debootstrapped Debian (built once by
# rootfs.sh, cached in tests/systemd/cache/) booted with systemd-nspawn -b,
# units installed with `make install DESTDIR=`.
#  1. a fake sysroot of plain files bound in: is-active, STATUS= reaches
#     systemd, structured journal fields, kill -9 -> Restart= brings it back
#     and blocks plugged meanwhile go online, reload, watchdog, poweroff;
#  2. the emulation: hotmemfs.service and hotmemd.service with
#     hotmemd-emulation.conf, both active, DIMMs plugged with hotmemctl in
#     the container go online, also across a kill -9 of hotmemd.
. "$(dirname "$0")/../daemon/lib.sh"
need_hotmemd
[ "$(id -u)" = 0 ] || skip_all "needs root for systemd-nspawn"
need_tool systemd-nspawn systemd-container
need_tool nsenter util-linux
[ -z "${SANITIZE:-}" ] || skip_all "runs on the plain build only (the container has no libasan)"

# --- the cached Debian -------------------------------------------------------
. "$(dirname "$0")/rootfs.sh"
rootfs_get

# --- install into it ---------------------------------------------------------
if make -C "$HOTMEM_SRC" --no-print-directory -s install DESTDIR="$rootfs" >"$TMP/install.log" 2>&1; then
	ok "make install DESTDIR=<rootfs>"
else
	nok "make install DESTDIR=<rootfs>"
	sed 's/^/# /' "$TMP/install.log" | tail -5
	install -D -m 0755 "$HOTMEMD" "$rootfs/usr/local/bin/hotmemd"
	install -D -m 0644 "$HOTMEM_SRC/unit-files/hotmemd.service" \
		"$rootfs/usr/local/lib/systemd/system/hotmemd.service"
fi
sysd=$rootfs/etc/systemd/system
units=/usr/local/lib/systemd/system
mkdir -p "$sysd/multi-user.target.wants" "$sysd/hotmemd.service.d"
ln -sfn "$units/hotmemd.service" "$sysd/multi-user.target.wants/hotmemd.service"
rm -f "$sysd/multi-user.target.wants/hotmemfs.service" "$sysd/hotmemd.service.d/"*.conf
rm -rf "$sysd/hotmemfs.service.d"
rm -rf "$rootfs/var/log/journal"/* "$rootfs/var/lib/hotmem" 2>/dev/null

# --- booting and looking inside ---------------------------------------------
nspawn=
leader=
boot() { # boot NSPAWN-OPTIONS...: sets nspawn, leader
	systemd-nspawn --register=no --keep-unit -q -D "$rootfs" "$@" \
		-b --console=pipe >>"$TMP/console.log" 2>&1 </dev/null &
	nspawn=$!
	_pids+=("$nspawn")
	leader=
	# the container's init: nspawn's child that has exec'ed systemd.  Not
	# just its first child: that can be nspawn's short-lived outer child,
	# gone a moment later, and every nsenter -t then failed (session 13)
	wait_for 20 bash -c "ps --ppid $nspawn -o comm= | grep -qx systemd" &&
		leader=$(ps --ppid "$nspawn" -o pid=,comm= | awk '$2 == "systemd" { print $1; exit }')
	[ -n "$leader" ]
}
in_ct() { nsenter -t "$leader" -a "$@"; }
active() { [ "$(in_ct systemctl is-active "${1:-hotmemd.service}" 2>/dev/null)" = active ]; }
poweroff() {
	local i
	in_ct systemctl poweroff --no-block >/dev/null 2>&1
	for ((i = 0; i < 100; i++)); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$nspawn" 2>/dev/null
}
restarted() { # restarted OLD_PID: a new main pid, active
	local p
	p=$(in_ct systemctl show -p MainPID --value hotmemd.service)
	[ "$p" != 0 ] && [ "$p" != "$1" ] && active
}

# === 1. a fake sysroot of plain files ========================================
uev=$TMP/uevent		# the uevent socket's directory, shared
mkdir -p "$uev"
sysroot=$TMP/sysroot
mk_sysroot "$sysroot"
mk_blocks "$sysroot" 0 7 online Normal
zone_add "$sysroot" 0 Normal 262144
mk_blocks "$sysroot" 8 11 offline "Normal Movable"
cat >"$sysd/hotmemd.service.d/test.conf" <<CONF
[Unit]
ConditionPathIsDirectory=
[Service]
ExecStart=
ExecStart=/usr/local/bin/hotmemd --sysroot=/srv/sysroot --uevent-socket=/srv/uevent/uevent.sock --netlink=no
ReadWritePaths=/srv/sysroot /srv/uevent
WatchdogSec=3s
CONF
plug() { # plug FIRST LAST: block files + ADD uevents
	local i
	for ((i = $1; i <= $2; i++)); do
		mk_block "$sysroot" $((100 + i)) offline "Normal Movable"
		"$UEVENT_SEND" --unix "$uev/uevent.sock" add $((100 + i)) 2>/dev/null
	done
	return 0
}
offline_count() { grep -l '^offline' "$sysroot"/sys/devices/system/memory/memory*/state 2>/dev/null | wc -l; }
no_offline() { [ "$(offline_count)" = 0 ]; }

t0=$(date +%s%N)
if ! boot --bind="$sysroot":/srv/sysroot --bind="$uev":/srv/uevent; then
	tail -20 "$TMP/console.log" | sed 's/^/# /'
	nok "container booted"
	done_testing
fi
check "container booted, hotmemd.service active (systemctl is-active)" wait_for 30 active
echo "# boot to active: $((($(date +%s%N) - t0) / 1000000)) ms"
in_ct systemctl --no-pager status hotmemd.service 2>&1 | head -12 | sed 's/^/# /'

check "coldplug put every block online" wait_for 10 no_offline
status=$(in_ct systemctl show -p StatusText --value hotmemd.service)
echo "# StatusText: $status"
check "STATUS= reached systemd" grep -qE '^[0-9]+ blocks online, [0-9]+ movable, 0 failed' <<<"$status"
check "plug 4 blocks" plug 1 4
check "... they go online" wait_for 10 no_offline
has_fields() {
	local json
	json=$(in_ct journalctl -u hotmemd.service -o json --no-pager \
		MESSAGE_ID=1fb1aa1c0c5646be95c18410f99485e0 2>/dev/null | tail -1)
	grep -q '"HOTMEM_BLOCK":"memory[0-9]*"' <<<"$json" &&
		grep -q '"HOTMEM_ZONE":"Movable"' <<<"$json" &&
		grep -q '"HOTMEM_POLICY":"auto-movable"' <<<"$json" &&
		grep -q '"CODE_FILE":"daemon/online.c"' <<<"$json"
}
check "journal: structured fields (MESSAGE_ID, HOTMEM_BLOCK, HOTMEM_ZONE, HOTMEM_POLICY, the caller's CODE_FILE)" \
	wait_for 10 has_fields
in_ct journalctl -u hotmemd.service --no-pager -o cat 2>/dev/null | tail -3 | sed 's/^/# journal: /'

pid1=$(in_ct systemctl show -p MainPID --value hotmemd.service)
# the shell builtin: minbase has no procps.  Never `kill -9 0` (MainPID 0:
# not running): that is the test's own process group, make check's too
[ "${pid1:-0}" -gt 1 ] && in_ct /bin/sh -c "kill -9 $pid1"
plug 5 8 >/dev/null		# while it is down: these uevents may be lost
check "kill -9: Restart= brings hotmemd back" wait_for 20 restarted "$pid1"
is "$(in_ct systemctl show -p NRestarts --value hotmemd.service)" 1 "NRestarts=1"
check "blocks plugged meanwhile end up online" wait_for 10 no_offline

in_ct systemctl reload hotmemd.service
# returned once hotmemd has reloaded (ExecReload= waits for its
# /run/hotmemd/reloaded, reread36 R3): no wait here.  The journal's line
# is looked for a moment (journald takes it in after hotmemd wrote it).
is "$(in_ct cat /run/hotmemd/reloaded)" "1 ok" "systemctl reload returns with the reload done: /run/hotmemd/reloaded says 1 ok"
check "systemctl reload: configuration reloaded, still active" \
	wait_for 10 bash -c "nsenter -t $leader -a journalctl -u hotmemd.service --no-pager | grep -q 'configuration reloaded'"
# WatchdogSec=3s: a missing WATCHDOG=1 would kill it.  No fixed wait: the
# last WATCHDOG=1 systemd took (WatchdogTimestampMonotonic) is looked for
# until it is 3 s (the drop-in's WatchdogSec=) past the one at the reload,
# from the same hotmemd (20 s at most, a bound against a hang, not a measure)
wd() { in_ct systemctl show -p "$1" --value hotmemd.service; }
wd_ref=$(wd WatchdogTimestampMonotonic) wd_pid=$(wd MainPID)
wd_past() {
	local t
	t=$(wd WatchdogTimestampMonotonic)
	[ "$(wd MainPID)" = "$wd_pid" ] && [ "${wd_ref:-0}" -gt 0 ] && [ "${t:-0}" -ge $((wd_ref + 3000000)) ]
}
check "watchdog kept happy: WATCHDOG=1 still taken WatchdogSec after the reload, by the same hotmemd" wait_for 20 wd_past
echo "# watchdog: WatchdogUSec=$(wd WatchdogUSec); last WATCHDOG=1 at $wd_ref us (monotonic) at the reload, now $(wd WatchdogTimestampMonotonic) us; MainPID $wd_pid, now $(wd MainPID)"
check "... still active" active
is "$(in_ct systemctl show -p NRestarts --value hotmemd.service)" 1 "no watchdog restarts"
# a bad hotmemd.conf: `systemctl reload` fails where the admin looks
# (ExecReload= checks first), the running configuration kept (usereye4 #4)
conf=$rootfs/etc/hotmem/hotmemd.conf
cp "$conf" "$TMP/hotmemd.conf.good"
printf '[hotmemd]\npolicy = online_movabel\n' >"$conf"
in_ct systemctl reload hotmemd.service >"$TMP/reload.out" 2>&1
rc=$?
sed 's/^/# reload: /' "$TMP/reload.out"
check "reload with a bad hotmemd.conf: systemctl reload fails (exit $rc)" [ "$rc" != 0 ]
# hotmemd --check-config writes its refusal to the unit's stream, which
# journald ties to the unit (a native entry from a process already gone had
# no unit half the time: CI of 23:15 and stop 27).  The stream is read a
# moment after the reload returns: looked for until it is there (10 s at
# most, a bound against a hang, not a measure)
check "... 'unknown policy' in systemctl status" bash -c \
	"for i in \$(seq 50); do nsenter -t $leader -a systemctl status --no-pager -n 20 hotmemd.service | grep -q \"unknown policy 'online_movabel'\" && exit 0; sleep 0.2; done; exit 1"
in_ct systemctl status --no-pager -n 20 hotmemd.service | grep -e online_movabel -e invalid | sed 's/^/# status: /'
check "... hotmemd still active" active
# and at start: 78 (EX_CONFIG) is not restarted (RestartPreventExitStatus=),
# the unit failed at once instead of five times the same error (usereye4 #20)
in_ct systemctl restart hotmemd.service >/dev/null 2>&1
check "restart with a bad hotmemd.conf: the unit failed" wait_for 20 bash -c \
	"[ \"\$(nsenter -t $leader -a systemctl is-active hotmemd.service)\" = failed ]"
is "$(in_ct systemctl show -p ExecMainStatus --value hotmemd.service)" 78 "... exit status 78 (EX_CONFIG)"
# (a systemctl restart sets NRestarts to 0; Restart= would count 5)
is "$(in_ct systemctl show -p NRestarts --value hotmemd.service)" 0 "... not restarted (RestartPreventExitStatus=78)"
cp "$TMP/hotmemd.conf.good" "$conf"
in_ct systemctl reset-failed hotmemd.service
in_ct systemctl start hotmemd.service
check "good hotmemd.conf again: started, active" wait_for 20 active
# stopped, then started (a package upgrade, an admin): the boot-blocks
# record stays in /run/hotmemd (RuntimeDirectoryPreserve=yes; its boot_id
# key says a stale one); =restart removed it at the stop and the start
# took every block online then as boot memory (reread36 R8)
check "boot-blocks record in /run/hotmemd" wait_for 10 in_ct test -s /run/hotmemd/boot-blocks
in_ct systemctl stop hotmemd.service
check "systemctl stop: /run/hotmemd/boot-blocks kept" in_ct test -s /run/hotmemd/boot-blocks
in_ct systemctl start hotmemd.service
check "... systemctl start: active again" wait_for 20 active
# the journal catalog (usereye4 #24): journalctl -x explains an entry
in_ct journalctl --update-catalog
in_ct journalctl -x -u hotmemd.service --no-pager -n 1 MESSAGE_ID=3e6c30daee1340bc9d705416c1a14bbc >"$TMP/x.out" 2>&1
sed 's/^/# journalctl -x: /' "$TMP/x.out" | head -4
check "journalctl -x: the catalog's Subject under hotmemd's 'ready'" grep -q 'Subject: hotmemd is ready (policy auto-movable)' "$TMP/x.out"
check "no failed units in the container" bash -c "[ -z \"\$(nsenter -t $leader -a systemctl --failed --no-legend --plain 2>/dev/null | grep hotmem)\" ]"
check "container powered off" poweroff

# === 2. the emulation: hotmemfs.service + hotmemd.service ====================
fs_skip=
[ -x "$rootfs/usr/local/bin/hotmemfs" ] && [ -x "$rootfs/usr/local/bin/hotmemctl" ] ||
	fs_skip="hotmemfs not built yet"
[ -n "$fs_skip" ] || [ -f "$rootfs$units/hotmemfs.service" ] || fs_skip="no hotmemfs.service unit yet"
[ -n "$fs_skip" ] || [ -e /dev/fuse ] || fs_skip="no /dev/fuse"
if [ -n "$fs_skip" ]; then
	echo "# SKIP hotmemfs part: $fs_skip"
	done_testing
fi
rm -f "$sysd/hotmemd.service.d/test.conf"
install -m 0644 "$HOTMEM_SRC/unit-files/hotmemd-emulation.conf" "$sysd/hotmemd.service.d/emulation.conf"
mkdir -p "$sysd/hotmemfs.service.d"
install -m 0644 "$HOTMEM_SRC/unit-files/hotmemfs-emulation.conf" "$sysd/hotmemfs.service.d/emulation.conf"
printf '[Service]\nWatchdogSec=3s\n' >"$sysd/hotmemd.service.d/zz-test.conf"
ln -sfn "$units/hotmemfs.service" "$sysd/multi-user.target.wants/hotmemfs.service"

ctl() { in_ct /usr/local/bin/hotmemctl "$@"; }
fs_blocks() { in_ct /bin/sh -c 'cd /run/hotmemfs/sys/devices/system/memory && for b in memory*; do n=${b#memory}; [ "$n" -ge 32 ] && echo "$n $(cat $b/state) $(cat $b/valid_zones)"; done'; }
fs_all_online() { [ -n "$(fs_blocks)" ] && ! fs_blocks | grep -q offline; }
fs_plug() { local i; for ((i = $1; i <= $2; i++)); do ctl device_add pc-dimm size=128M id="d$i" >/dev/null || return 1; done; }

if ! boot --bind=/dev/fuse; then
	nok "container booted (emulation)"
	done_testing
fi
check "emulation: hotmemfs.service active" wait_for 30 active hotmemfs.service
check "emulation: hotmemd.service active" wait_for 30 active hotmemd.service
in_ct systemctl --no-pager status hotmemfs.service hotmemd.service 2>&1 | grep -E "Active:|Status:|Drop-In|\.conf" | sed 's/^/# /'
active hotmemfs.service || in_ct journalctl -u hotmemfs.service --no-pager -n 15 -o cat 2>&1 | sed 's/^/# hotmemfs.service: /'
# hardened without a mount namespace (#16.12): the booted unit's own score,
# its process confined, and its mount seen by the rest of the system
exposure=$(in_ct systemd-analyze security --no-pager hotmemfs.service 2>&1 |
	grep -o 'exposure level for hotmemfs.service: [0-9.]*' | grep -o '[0-9.]*$')
check "hotmemfs.service exposure ${exposure:-?} <= 4 (systemd-analyze security, as booted)" \
	awk -v x="${exposure:-99}" 'BEGIN { exit !(x <= 4) }'
fspid=$(in_ct systemctl show -p MainPID --value hotmemfs.service)
in_ct cat "/proc/$fspid/status" >"$TMP/fs.status" 2>/dev/null
is "$(awk '/^CapBnd:/ { print $2 }' "$TMP/fs.status")" 0000000000200000 "hotmemfs runs with CAP_SYS_ADMIN alone in its bounding set"
is "$(awk '/^Seccomp:/ { print $2 }' "$TMP/fs.status")" 2 "... under a seccomp filter"
check "... and its mount is in the system's mount namespace (pid 1's)" \
	bash -c "nsenter -t $leader -a grep -q ' /run/hotmemfs ' /proc/1/mountinfo"
check "hotmemctl device_add: 8 DIMMs" fs_plug 1 8
check "... all online" wait_for 10 fs_all_online
fs_blocks | head -3 | sed 's/^/# /'
nl=$(ctl --json status | python3 -c 'import json, sys; u = json.load(sys.stdin)["uevents"]; print(u["netlink-sent"], u["netlink-errors"])')
check "uevents injected into the unit's network namespace under its filter (sent, errors: $nl)" \
	bash -c "[ '${nl#* }' = 0 ] && [ '${nl% *}' -gt 0 ]"
# (the zones read first: no blocks, or a failed read, are not all Movable)
zones=$(in_ct /bin/sh -c 'cat /run/hotmemfs/sys/devices/system/memory/memory3[2-9]/valid_zones')
check "... in ZONE_MOVABLE (1 GiB boot memory, ratio 301)" bash -c "[ -n '$zones' ] && ! grep -v Movable <<<'$zones'"
pid1=$(in_ct systemctl show -p MainPID --value hotmemd.service)
[ "${pid1:-0}" -gt 1 ] && in_ct /bin/sh -c "kill -9 $pid1"	# never kill -9 0 (above)
fs_plug 9 12 >/dev/null
check "emulation: kill -9, Restart= brings hotmemd back" wait_for 20 restarted "$pid1"
check "DIMMs plugged meanwhile end up online" wait_for 10 fs_all_online
check "hotmemfs.service still active" active hotmemfs.service
status=$(in_ct systemctl show -p StatusText --value hotmemd.service)
echo "# StatusText: $status"
check "STATUS: 20 blocks online, 12 movable" grep -q '^20 blocks online, 12 movable, 0 failed' <<<"$status"
# a clean restart: hotmemfs unmounted itself, ExecStopPost='s umount says
# nothing (usereye4 #11)
in_ct systemctl restart hotmemfs.service
check "systemctl restart hotmemfs: active again" wait_for 30 active hotmemfs.service
check "... hotmemd back with it (Upholds=)" wait_for 30 active hotmemd.service
in_ct journalctl -u hotmemfs.service --no-pager -o cat >"$TMP/fs.journal" 2>&1
check "... no 'umount: ... not mounted' in its journal" bash -c "! grep 'not mounted' '$TMP/fs.journal'"
# its lines without the "hotmemfs: " the journal's "hotmemfs[PID]:" says
# already (usereye4 #5)
grep ' mounted on /run/hotmemfs' "$TMP/fs.journal" | tail -1 | sed 's/^/# journal: /'
check "... its lines are not double-prefixed ('hotmemfs[PID]: hotmemfs: ')" bash -c \
	"grep -q '^default mounted on /run/hotmemfs' '$TMP/fs.journal' && ! grep -q '^hotmemfs: ' '$TMP/fs.journal'"
# a damaged state file: refused once, 78, no restarts, the way out for
# systemd (mv, not --fresh in HOTMEMFS_OPTS) (usereye4 #20)
in_ct systemctl stop hotmemfs.service
printf '{"damaged' >"$rootfs/var/lib/hotmem/hotmemfs.state"
in_ct systemctl start hotmemfs.service >/dev/null 2>&1
check "damaged state file: hotmemfs.service failed" wait_for 20 bash -c \
	"[ \"\$(nsenter -t $leader -a systemctl is-active hotmemfs.service)\" = failed ]"
is "$(in_ct systemctl show -p ExecMainStatus --value hotmemfs.service)" 78 "... exit status 78"
is "$(in_ct systemctl show -p NRestarts --value hotmemfs.service)" 0 "... not restarted (RestartPreventExitStatus=78)"
in_ct journalctl -u hotmemfs.service --no-pager -o cat >"$TMP/fs.journal" 2>&1
grep -E 'damaged|refusing' "$TMP/fs.journal" | tail -2 | sed 's/^/# /'
check "... the message says mv and systemctl restart, not --fresh" bash -c \
	"grep -q 'mv /var/lib/hotmem/hotmemfs.state /var/lib/hotmem/hotmemfs.state.bad && mv /var/lib/hotmem/hotmemfs.state.journal /var/lib/hotmem/hotmemfs.state.journal.bad && systemctl restart hotmemfs' '$TMP/fs.journal' &&
	! grep -q 'start with --fresh' '$TMP/fs.journal'"
in_ct mv /var/lib/hotmem/hotmemfs.state /var/lib/hotmem/hotmemfs.state.bad
in_ct mv /var/lib/hotmem/hotmemfs.state.journal /var/lib/hotmem/hotmemfs.state.journal.bad
in_ct systemctl restart hotmemfs.service
check "... moved away, systemctl restart hotmemfs: active" wait_for 30 active hotmemfs.service
check "container powered off (emulation)" poweroff
done_testing
