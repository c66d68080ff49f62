#!/bin/bash
# soft_offline_page and hard_offline_page are root's twice over: mode 0200,
# and their stores ask capable(CAP_SYS_ADMIN) first
# (drivers/base/memory.c): after root's chmod 0666 a non-root writer gets
# EPERM and no page is retired.  Before, hotmemfs retired it.
. "$(dirname "$0")/lib.sh"
require_env
need_tool setpriv util-linux

printf 'profile = default\nmemory_failure = yes\n' >"$TMP/mf.profile"
start_fs --fresh --profile "$TMP/mf.profile"
tap_ok $? "hotmemfs mounts a machine with memory_failure"
M=$MNT/sys/devices/system/memory
chmod 755 "$TMP"
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
cp "$HOTMEM_SRC/tests/fusefs/sysw.py" "$TMP/sysw.py"
chmod 755 "$TMP/sysw.py"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
corrupted() { awk '/^HardwareCorrupted:/ {print $2}' "$MNT/proc/meminfo"; }

for f in soft_offline_page hard_offline_page; do
	chmod 666 "$M/$f"
	is "$(nobody $PY "$TMP/sysw.py" w "$M/$f" 0x20000000)" EPERM "nobody writes $f after chmod 666: EPERM"
	is "$(nobody $PY "$TMP/sysw.py" w "$M/$f" garbage)" EPERM "... before parsing, as the kernel"
	is "$(corrupted)" 0 "... and no page is retired"
done
# capable() is the capability in the initial user namespace, not uid 0
nocap() { setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin "$@"; }
is "$(nocap $PY "$TMP/sysw.py" w "$M/soft_offline_page" 0x20000000)" EPERM \
	"uid 0 without CAP_SYS_ADMIN (setpriv --bounding-set=-sys_admin): EPERM"
is "$(corrupted)" 0 "... no page retired"
if unshare -U --map-root-user true 2>/dev/null; then
	is "$(unshare -U --map-root-user $PY "$TMP/sysw.py" w "$M/hard_offline_page" 0x20001000)" EPERM \
		"root of a child user namespace (uid 0 mapped to 0): EPERM (capable() asks the initial one)"
else
	T_N=$((T_N + 1)); echo "ok $T_N # SKIP unshare -U refused here"
fi
is "$(corrupted)" 0 "... no page retired"
is "$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+sys_admin --ambient-caps=+sys_admin $PY "$TMP/sysw.py" w "$M/soft_offline_page" 0x20002000)" ret=10 \
	"uid 65534 holding CAP_SYS_ADMIN (ambient), mode 0666: let through, as capable() does"
is "$(corrupted)" 4 "... HardwareCorrupted 4 kB"
is "$($PY "$TMP/sysw.py" w "$M/soft_offline_page" 0x20000000)" ret=10 "root still retires a page"
is "$(corrupted)" 8 "... HardwareCorrupted 8 kB"
done_testing
