#!/bin/bash
# soft_offline_page and hard_offline_page are root's twice over: mode 0200,
# and their stores ask capable(CAP_SYS_ADMIN) first
# (drivers/base/memory.c): after root's chmod 0666 a non-root writer gets
# EPERM and no page is retired.  Before, hotmemfs retired it.
. "$(dirname "$0")/lib.sh"
require_env
command -v setpriv >/dev/null || skip_all "no setpriv"

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
is "$($PY "$TMP/sysw.py" w "$M/soft_offline_page" 0x20000000)" ret=10 "root still retires a page"
is "$(corrupted)" 4 "... HardwareCorrupted 4 kB"
done_testing
