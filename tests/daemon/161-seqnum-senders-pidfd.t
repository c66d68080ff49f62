#!/bin/bash
# Unix-socket senders told apart by their pidfd (daemon40 item 2).  Each
# sender has its own last SEQNUM (151, reread38 R10), keyed on its pid
# (SCM_CREDENTIALS).  The pid a receiver reads is the sender's in the
# receiver's pid namespace (scm_set_cred(): pid_vnr() at recvmsg()), 0
# when the sender is not visible there: two senders outside a hotmemd
# that runs in a container were one "pid 0", their interleaved SEQNUMs a
# gap at every datagram, each settle reading every known block again.
# And a pid reused by a new sender took the old one's last SEQNUM for its
# previous: a gap at its first datagram.  hotmemd asks SCM_PIDFD too
# (SO_PASSPIDFD, Linux 6.5): on pidfs (6.9) a pidfd's inode number is its
# struct pid's, unique for the boot, and a sender is its pid and that
# number.  Checks 4 and 8 failed without the fix; 9, 12 and 13 guard it
# (a gap is still one sender's; a descriptor a sender passes closed, a
# sender's pidfd kept with its entry, one a sender: small41).  Check 11
# (and 13) failed while hotmemd's control buffer had room for one
# descriptor: a passed one took the pidfd's (small42).
#
# hotmemd runs in a pid namespace of its own (unshare --pid --mount-proc,
# root), its sysroot plain files and --netlink=no: the reused pid is made
# there (ns_last_pid), the invisible senders are this shell's children.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"
need_tool python3 python3
need_tool unshare util-linux
[ "$(id -u)" = 0 ] || skip_all "a pid namespace with ns_last_pid needs root"
# SCM_PIDFD of a sender already gone (a one-shot sender): 6.16 (PIDFD_STALE)
kv=$(uname -r)
[ "$(printf '%s\n' 6.16 "${kv%%[-+]*}" | sort -V | head -1)" = 6.16 ] ||
	skip_all "kernel $kv: pidfs pidfds of exited senders (SCM_PIDFD, PIDFD_STALE) are 6.16's"

root=$TMP/root sock=$TMP/uevent.sock log=$TMP/1.log
mk_sysroot "$root"
mk_blocks "$root" 0 17 online Normal
zone_add "$root" 0 Normal 589824
gaps() { grep -c "SEQNUM .* after" "$log"; }
heard() { # heard N PATTERN: N uevents of memory17 with SEQNUM PATTERN
	wait_for 10 sh -c '[ "$(grep -c "memory17: uevent change seqnum \($2\)$" "$1")" = "$3" ]' _ "$log" "$2" "$1"
}

# inside the namespace: hotmemd, then two one-shot senders with one pid
mkfifo "$TMP/go" "$TMP/stop"
: >"$log"
unshare --pid --fork --kill-child --mount-proc bash -c '
	hotmemd=$1 root=$2 sock=$3 log=$4 send=$5 tmp=$6
	"$hotmemd" --config /dev/null --sysroot "$root" --state-dir "$tmp/st" --netlink=no \
		--uevent-socket "$sock" --policy online --log-level debug 2>"$log" &
	hmd=$!
	read -r _ <"$tmp/go"
	"$send" --unix "$sock" --seq 1 change 17 & first=$!
	wait "$first"
	echo $((first - 1)) >/proc/sys/kernel/ns_last_pid
	"$send" --unix "$sock" --seq 50 change 17 & second=$!
	wait "$second"
	echo "$first $second" >"$tmp/pids"
	read -r _ <"$tmp/stop"
	kill "$hmd"
	wait "$hmd"
' _ "$HOTMEMD" "$root" "$sock" "$log" "$UEVENT_SEND" "$TMP" &
ns=$!
_pids+=("$ns")
exec {stop}<>"$TMP/stop"
check "hotmemd ready in its pid namespace" wait_for 10 grep -q "ready: sysroot" "$log"
hmd=$(pgrep -x -P "$(pgrep -P "$ns")" hotmemd)
# fds [pidfd]: hotmemd's descriptors but its senders' pidfds (kept, one a
# sender, to tell when it exited: missed.c sender_gone()), or those alone
fds() {
	local f n=0
	for f in /proc/"$hmd"/fd/*; do
		case $(readlink "$f") in
		*'[pidfd]'*) [ "${1-}" = pidfd ] && n=$((n + 1)) ;;
		*) [ "${1-}" = pidfd ] || n=$((n + 1)) ;;
		esac
	done
	echo "$n"
}
fds0=$(fds)
echo go >"$TMP/go"
check "two one-shot senders heard" heard 2 "1\|50"
read -r first second <"$TMP/pids"
is "$second" "$first" "... the second with the first's pid (ns_last_pid)"
sleep 0.3
is "$(gaps)" 0 "... its SEQNUM 50 no gap after the first's 1: another sender"

# outside the namespace: two senders hotmemd reads as pid 0
fifo_sender a
fifo_sender b
exec {a}>"$TMP/a.fifo" {b}>"$TMP/b.fifo"
echo "500 change 17" >&$a
check "A's first datagram heard" heard 1 500
echo "900 change 17" >&$b
check "B's first datagram heard" heard 1 900
for i in 1 2 3; do
	echo "50$i change 17" >&$a
	echo "90$i change 17" >&$b
done
check "all 8 uevents heard" heard 8 "50[0-3]\|90[0-3]"
sleep 0.3
is "$(gaps)" 0 "... none taken for a gap: two senders, though both pid 0"
echo "505 change 17" >&$a
check "A's SEQNUM 505 after 503: a gap" wait_for 10 grep -q "SEQNUM 505 after 503" "$log"
# a datagram passing descriptors (SCM_RIGHTS) with its uevent, the most
# a datagram takes (SCM_MAX_FD, 253): the kernel puts its SCM_PIDFD after
# them, where hotmemd's room for one descriptor had none left (small42)
python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(sys.argv[1])
dev = "/devices/system/memory/memory17"
null = os.open("/dev/null", os.O_RDONLY)
socket.send_fds(s, [("change@%s\0ACTION=change\0DEVPATH=%s\0SUBSYSTEM=memory\0SEQNUM=7\0"
                     % (dev, dev)).encode()], [null] * 253)
' "$sock"
check "a datagram passing 253 descriptors heard" heard 1 7
sleep 0.3
is "$(gaps)" 1 "... its SEQNUM 7 no gap after A's 505: a sender of its own, its pidfd had room"
is "$(fds)" "$fds0" "... hotmemd holds no descriptor more than at start but its senders' pidfds: passed ones closed"
is "$(fds pidfd)" 5 "... a pidfd a sender it follows: the two one-shots, A, B and the passer"
exec {a}>&- {b}>&-
echo stop >&$stop
grep -E "SEQNUM|settled" "$log" | sed 's/^/# log: /'
done_testing
