#!/bin/bash
# /proc/iomem as 6.12 kernel/resource.c r_show() shows it: the addresses to
# an opener capable of CAP_SYS_ADMIN (file_ns_capable(), the opener's
# credentials), zeros to any other -- nobody, and root without the
# capability -- the names and the tree's shape the same.  An open file
# keeps its opener's view when another reads it.
. "$(dirname "$0")/lib.sh"
require_env
need_tool setpriv util-linux
start_fs --fresh
tap_ok $? "hotmemfs mounts"
chmod 755 "$TMP"
F=$MNT/proc/iomem
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
nocap() { setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin "$@"; }
zeroed() { sed 's/[0-9a-f]\{8\}-[0-9a-f]\{8\} :/00000000-00000000 :/'; }
root=$(cat "$F")
grep -q '^[0-9a-f]*-[0-9a-f]* : System RAM' <<<"$root" && ! grep -q '^00000000-00000000 : System RAM' <<<"$root"
tap_ok $? "root (CAP_SYS_ADMIN) reads the addresses"
printf '%s\n' "$root" | sed -n '1,3s/^/# /p'
is "$(nobody cat "$F")" "$(zeroed <<<"$root")" "nobody reads zeros, the same names and shape"
is "$(nocap cat "$F")" "$(zeroed <<<"$root")" "root without CAP_SYS_ADMIN reads zeros"
exec 3<"$F"
is "$(nobody sh -c 'cat <&3')" "$root" "a file root opened shows nobody the addresses (the opener decides)"
exec 3<&-
done_testing
