#!/bin/bash
# A Unix-socket sender's uevent lost (a SEQNUM gap: a sender that drops at
# EAGAIN) may be any action: here the admin's OFFLINE of memory16.  The
# settle after the gap reads the known blocks' state again, as after a
# netlink ENOBUFS, and counts memory16 offline -- deciding none of them:
# memory16 stays offline.  It only relisted memory/ for new blocks, and
# hotmemd counted memory16 online (STATUS=, auto-movable's sums) until a
# restart.  Two senders whose SEQNUMs interleave are no gap (each its own
# sequence, reread38 R10); nor is a sender's first datagram, which has no
# previous: a one-shot sender run after another had exited was compared
# with the other's last SEQNUM, a gap at every run (R10's remainder).
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"
need_tool python3 python3

sock_machine
send() { seq_send "$@"; }
status() { # status N: the Nth SIGUSR1 status said (what came before it is done)
	kill -USR1 "$pid1"
	wait_for 10 sh -c '[ "$(grep -c "status: .*blocks present" "$1")" -ge "$2" ]' _ "$TMP/1.log" "$1"
}

sock_start 1 --log-level debug
check "hotmemd ready" wait_for 10 ready 1
check "a sender of its own (A) to the socket" seq_sender_start
send 1 change 17
check "status said" status 1
check "... 18 blocks online" grep -q "status: 18 blocks online" "$TMP/1.log"
# the admin offlines memory16; its OFFLINE (2) is lost, the next uevent is 3
admin_offline 16
send 3 change 17
check "the gap is the settle's reason to look" \
	wait_for 10 grep -q "uevents settled: SEQNUM 3 after 1 on $sock: rescanning memory/" "$TMP/1.log"
check "... memory16's lost OFFLINE read as such" \
	grep -q "1 known block(s) went online or offline without a uevent, from memory16 on: read again, none decided" "$TMP/1.log"
check "status said again" status 2
is "$(grep "status: .*blocks present" "$TMP/1.log" | tail -1 | sed 's/;.*//')" \
	"hotmemd: notice: status: 17 blocks online, 1 movable, 0 failed" "... counting memory16 offline"
is "$(state "$root" 16)" offline "memory16 stays offline"

# Two senders share the socket, each numbering its own (reread38 R10): a
# second one stays up (B, its own pid) while A goes on (4...).  Their
# SEQNUMs interleaved were a gap at every datagram, each settle reading
# every known block again; each sender has its own now.
fifo_sender b
exec {b}>"$TMP/b.fifo"
heard() { # heard N PATTERN: N uevents of memory17 "change" with SEQNUM PATTERN
	wait_for 10 sh -c '[ "$(grep -c "memory17: uevent change seqnum \($2\)$" "$1")" = "$3" ]' _ "$TMP/1.log" "$2" "$1"
}
gaps() { grep -c "SEQNUM .* after" "$TMP/1.log"; }
n=$(gaps)
echo "500 change 17" >&$b
check "B's first datagram heard" heard 1 500
send 4 change 17
echo "501 change 17" >&$b
send 5 change 17
echo "502 change 17" >&$b
send 6 change 17
check "all 5 interleaved uevents heard" heard 5 "50[12]\|[456]"
sleep 0.3
is "$(gaps)" "$n" "... and none taken for a gap, B's first neither"
# one-shot senders, one after the other (each numbering from its pid
# times 100000): each run's first datagram has no previous -- not the
# last SEQNUM of the run before it, gone
for i in 1 2 3; do
	"$UEVENT_SEND" --unix "$sock" change 17
done
check "3 one-shot runs heard" heard 3 "[0-9]\{6,\}"
sleep 0.3
is "$(gaps)" "$n" "... none taken for a gap"
exec {b}>&-
grep -E "memory16|settled|known block|status: [0-9]" "$TMP/1.log" | sed 's/^/# log: /'
done_testing
