#!/bin/bash
# /proc/iomem's text is its opener's (6.12 kernel/resource.c r_show():
# zeros without CAP_SYS_ADMIN), but a host whose FUSE splices direct-io
# files through the page cache shares one page cache among all openers.
# When every procfs file's OPEN sized it for splices (2e0a7f8e), an
# unprivileged opener's splice after a root opener's open and splice read
# root's text, real addresses (reread32 R3).  So /proc/iomem is not sized:
# its splice reads nothing there, and never another opener's addresses.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
need_tool setpriv util-linux
start_fs --fresh
tap_ok $? "hotmemfs mounts"
chmod 755 "$TMP"
# only a host whose FUSE splices direct-io files through the page cache
# shares one: elsewhere every splice is a READ of the opener's own text
# and this test would pass whatever (reread32b R7; lib.sh
# splice_shares_cache, 347's probe too)
splice_readers
if ! splice_shares_cache; then
	tap_ok 0 "an unprivileged opener's splice never reads root's addresses # SKIP this kernel's FUSE splices direct-io files as READs: no page cache is shared"
	done_testing
	exit
fi
cat >"$TMP/leak.py" <<'PY'
import os, sys
F, rounds = sys.argv[1], int(sys.argv[2])
def splice_all(fd):
    r, w = os.pipe()
    out = b""
    while True:
        n = os.splice(fd, w, 65536)
        if n <= 0:
            break
        out += os.read(r, n)
    os.close(r); os.close(w)
    return out
leaks = 0
for i in range(rounds):
    os.seteuid(65534)          # CapEff cleared: the unprivileged opener
    fu = os.open(F, os.O_RDONLY)
    os.seteuid(0)
    fr = os.open(F, os.O_RDONLY)
    splice_all(fr)             # root's text into the inode's page cache
    user = splice_all(fu)
    for line in user.decode().splitlines():
        if not line.lstrip().startswith("00000000-00000000 :"):
            leaks += 1
            if leaks == 1:
                print("# the unprivileged splice read:", line)
            break
    os.close(fu); os.close(fr)
print(leaks)
PY
leaks=$(python3 "$TMP/leak.py" "$MNT/proc/iomem" 20)
printf '%s\n' "$leaks" | grep '^#'
is "$(printf '%s\n' "$leaks" | tail -1)" 0 "an unprivileged opener's splice never reads root's addresses (20 rounds, root's open and splice between its open and splice)"
is "$(setpriv --reuid=65534 --regid=65534 --clear-groups cat "$MNT/proc/iomem" | grep -vc '^ *00000000-00000000 :')" 0 \
	"read(2) by nobody: zeros only"
done_testing
