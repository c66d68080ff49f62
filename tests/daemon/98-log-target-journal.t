#!/bin/bash
# log_target=journal (--log-target=journal) where no journald listens (a
# container, this VM): sd_journal_sendv() answers 0 when its socket is not
# there, so hotmemd wrote nothing at all, not a decision, not a give-up,
# and exited 0 (usereye8 #5k).  Now it says so once on stderr and logs
# there.  Where journald listens (a socket at /run/systemd/journal/socket,
# here a stand-in in a private mount namespace) the entries go to it and
# stderr stays quiet.
. "$(dirname "$0")/lib.sh"
need_hotmemd
[ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null || skip_all "needs root and unshare -m"
need_tool python3 python3

root=$TMP/root
mk_sysroot "$root"
mk_blocks "$root" 0 3 online "Normal"
mk_block "$root" 32 offline "Movable Normal"
zone_add "$root" 0 Normal 131072
run_hotmemd() { # hotmemd --log-target=journal on $root, once, dry; ARGS...
	"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" --netlink=no \
		--log-target=journal --oneshot --dry-run "$@"
}
export -f run_hotmemd
export HOTMEMD root TMP

# no journald: /run a private empty tmpfs.  On stderr, --oneshot logs its
# decisions at debug (stdout has them: small43, U12)
unshare -m bash -c 'mount -t tmpfs tmpfs /run && run_hotmemd --log-level debug' >/dev/null \
	2>"$TMP/err1"
is "$?" 0 "no journald: hotmemd --log-target=journal --oneshot --dry-run exits 0"
sed 's/^/# /' "$TMP/err1"
is "$(grep -c 'no journald' "$TMP/err1")" 1 "... says once that no journald listens"
check "... naming the socket and where it logs instead" grep -qx \
	"hotmemd: warning: log_target=journal, but no journald listens (/run/systemd/journal/socket: No such file or directory): logging to stderr" "$TMP/err1"
check "... and its decision for memory32 is on stderr" grep -q "memory32: .*online_movable" "$TMP/err1"

# a journald stand-in: a datagram socket there, read once hotmemd is done
cat >"$TMP/journald.py" <<'PY'
import os, socket, subprocess, sys
os.makedirs("/run/systemd/journal", exist_ok=True)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/run/systemd/journal/socket")
rc = subprocess.call(["bash", "-c", "run_hotmemd"], stdout=subprocess.DEVNULL)
s.setblocking(False)
n = 0
out = open(sys.argv[1], "w")
while True:
    try:
        d = s.recv(65536)
    except BlockingIOError:
        break
    n += 1
    out.write(d.decode(errors="replace").replace("\n", " | ") + "\n")
sys.exit(rc)
PY
unshare -m bash -c 'mount -t tmpfs tmpfs /run && python3 "$TMP/journald.py" "$TMP/journal"' 2>"$TMP/err2"
is "$?" 0 "a journald listening: exits 0"
is "$(cat "$TMP/err2")" "" "... stderr quiet"
check "... the decision for memory32 sent to the journal socket" grep -q "MESSAGE=memory32: .*online_movable" "$TMP/journal"
head -3 "$TMP/journal" | cut -c1-200 | sed 's/^/# /'
done_testing
