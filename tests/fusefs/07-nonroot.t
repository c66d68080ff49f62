#!/bin/bash
# Permissions as the kernel's: non-root reads, never writes (EACCES);
# root cannot open read-only attributes for writing; the control socket
# is root's alone.
. "$(dirname "$0")/lib.sh"
require_env
command -v setpriv >/dev/null || skip_all "no setpriv"
start_fs --fresh
tap_ok $? "hotmemfs mounts"
M=$MNT/sys/devices/system/memory
chmod 755 "$TMP"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# the system python: a per-user python (pyenv) may not be nobody's to run
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
cp "$HOTMEM_SRC/tests/fusefs/sysw.py" "$TMP/sysw.py"
chmod 755 "$TMP/sysw.py"
W="$PY $TMP/sysw.py"

is "$(nobody cat "$M/memory1/state")" "online" "nobody reads state"
is "$(nobody $W w "$M/memory1/state" offline)" "EACCES" "nobody writes state: EACCES"
is "$(nobody $W w "$M/auto_online_blocks" online)" "EACCES" "nobody writes auto_online_blocks: EACCES"
is "$(nobody $W o "$M/memory1/online" w)" "EACCES" "nobody opens online O_WRONLY: EACCES"
is "$(nobody $W o "$MNT/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error" r)" \
	"EACCES" "nobody cannot enter debugfs (0700)"
is "$(nobody lsmem --sysroot "$MNT" --summary=only | head -1)" "Memory block size:       128M" "nobody runs lsmem"
is "$($W o "$M/block_size_bytes" w)" "EACCES" "root opens a 0444 attribute O_WRONLY: EACCES"
is "$($W o "$M/memory1/phys_index" rw)" "EACCES" "root opens a 0444 attribute O_RDWR: EACCES"
is "$($W o "$M/memory1/state" trunc)" "ok" "root opens state O_WRONLY|O_TRUNC (shell >)"
is "$(cat "$M/memory1/state")" "online" "... which changes nothing"
# kernfs lets root chmod/chown; what a file can do does not change
chown 65534:65534 "$M/memory2/state"
tap_ok $? "root chowns memory2/state to nobody"
is "$(stat -c '%a %U' "$M/memory2/state")" "644 nobody" "... stat shows it"
is "$(nobody $W w "$M/memory2/state" offline)" "ret=7" "... and nobody may now offline memory2"
is "$(nobody $W w "$M/memory2/state" online)" "ret=6" "... and online it again"
nobody chmod 666 "$M/memory3/state" 2>/dev/null
tap_ok $((! $?)) "nobody cannot chmod a root-owned attribute"
chmod 666 "$M/block_size_bytes"
is "$($W o "$M/block_size_bytes" w)" "EACCES" "chmod 666 block_size_bytes: still no store, O_WRONLY EACCES"
chmod 444 "$M/memory1/state"
is "$(nobody $W w "$M/memory1/state" offline)" "EACCES" "chmod 444 state: nobody EACCES (default_permissions)"
is "$(stat -c '%a %U' "$CTL")" "600 root" "control socket is 0600 root"
nobody "$HMCTL" -s "$CTL" status >/dev/null 2>&1
tap_ok $((! $?)) "nobody cannot use the control socket"
chmod 666 "$CTL"
nobody "$HMCTL" -s "$CTL" status >/dev/null 2>&1
tap_ok $((! $?)) "... not even if the socket is chmod 666 (peer uid check)"
done_testing
