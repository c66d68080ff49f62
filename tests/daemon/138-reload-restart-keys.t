#!/bin/bash
# SIGHUP after an edit of keys a reload does not apply (abuse25a B7): the
# reload said "configuration reloaded" and, at most, one line for the
# four restart keys, not which changed; and nothing at all of a file key
# hotmemd's own options set (the emulation drop-in gives --sysroot,
# --uevent-socket, --netlink=no), which no reload or restart applies.
# Now each restart key changed in the file is named with both values,
# and each file key an option overrides is named with the value in force.
. "$(dirname "$0")/lib.sh"
need_hotmemd

root=$TMP/root
mk_boot_512m "$root"
conf=$TMP/hotmemd.conf
log=$TMP/log
printf 'sysroot = %s\nstate_dir = %s\n' "$root" "$TMP/state" >"$conf"
: >"$log"
"$HOTMEMD" --config "$conf" --netlink=no --uevent-socket "$TMP/ue.sock" --policy online \
	--log-level info 2>"$log" &
pid=$!
_pids+=("$pid")
check "hotmemd ready" wait_for 10 grep -q "ready: sysroot" "$log"
printf 'sysroot = %s\nstate_dir = %s\nuevent_socket = %s\npolicy = online_kernel\nretry_max = 3\n' \
	"$TMP/other" "$TMP/state2" "$TMP/x.sock" >"$conf"
kill -HUP "$pid"
check "SIGHUP: reloaded" wait_for 10 grep -q "configuration reloaded" "$log"
sed 's/^/# /' "$log"
check "sysroot named: applies at the next start" grep -qF \
	"warning: reload: sysroot $TMP/other (running: $root) applies at the next start only: restart hotmemd" "$log"
check "state_dir named: applies at the next start" grep -qF \
	"warning: reload: state_dir $TMP/state2 (running: $TMP/state) applies at the next start only: restart hotmemd" "$log"
check "the file's uevent_socket: the command line's is used" grep -qF \
	"notice: reload: uevent_socket = $TMP/x.sock in the configuration files is not used: hotmemd's command line sets $TMP/ue.sock (options win over the files)" "$log"
check "the file's policy: the command line's is used" grep -qF \
	"notice: reload: policy = online_kernel in the configuration files is not used: hotmemd's command line sets online (options win over the files)" "$log"
check "nothing said of retry_max, which the reload applies" bash -c "! grep -q 'retry_max' '$log'"
check "the reload keeps the running policy" grep -q "configuration reloaded \[policy=online\]" "$log"
check "still running" kill -0 "$pid"
done_testing
