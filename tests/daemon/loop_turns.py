#!/usr/bin/env python3
"""How far hotmemd's event loop has run, from its watchdog: a check that
something did NOT happen (a second warning, a warning at all) is
meaningful only once the timer that would have done it has had its
turn, and a fixed sleep does not know that on a loaded machine.

  loop_turns.py listen SOCKET OUT
      be hotmemd's NOTIFY_SOCKET (start hotmemd with NOTIFY_SOCKET=SOCKET
      WATCHDOG_USEC=...): each WATCHDOG=1 a line "L R" in OUT, L a time
      (CLOCK_MONOTONIC, seconds) it was surely sent after (its queue was
      seen empty then), R when it was read
  loop_turns.py now
      CLOCK_MONOTONIC, as L and R
  loop_turns.py ticks OUT SINCE PERIOD K TIMEOUT
      exit 0 once a timer of PERIOD seconds, re-armed from its own run
      (sd_event_source_set_time_relative(), as hotmemd's silence check),
      has run K times after SINCE and what it did is done, were it still
      enabled: exit 1 if hotmemd's loop is not that far within TIMEOUT s

Why the pings tell: sd-event's sd_event_wait() takes the loop's time
after epoll, marks every timer due by then pending, and only then
dispatches (hotmemd's watchdog timer among them); it waits again only
once nothing is pending.  A ping sent after time T was sent in a turn
begun before it, so the NEXT ping's turn began after T: every timer due
by T is pending in that turn (its run's time at most when that ping was
read), and a third ping comes after a wait, when they have all run.
"""
import select
import socket
import sys
import time


def listen(path, out):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    with open(out, "a") as f:
        empty = time.monotonic()
        while True:
            before = time.monotonic()
            try:
                msg = s.recv(4096, socket.MSG_DONTWAIT)
            except BlockingIOError:
                # nothing queued at some moment after @before: whatever
                # comes next was sent after it
                empty = before
                select.select([s], [], [])
                continue
            if b"WATCHDOG=1" in msg.split(b"\n"):
                print("%.6f %.6f" % (empty, time.monotonic()), file=f, flush=True)


def pings(out):
    try:
        with open(out) as f:
            return [tuple(map(float, l.split())) for l in f if len(l.split()) == 2]
    except FileNotFoundError:
        return []


def after(out, t, n, end):
    """R of the Nth ping surely sent after T; None at END"""
    while time.monotonic() < end:
        got = [r for l, r in pings(out) if l >= t]
        if len(got) >= n:
            return got[n - 1]
        time.sleep(0.02)
    return None


def ticks(out, since, period, k, timeout):
    end = time.monotonic() + timeout
    # the run before SINCE was before it: the first after it is due before SINCE + PERIOD
    t = since
    for i in range(k):
        due = t + period + 0.05
        # a turn begun after DUE: the run is marked by then, at most at R
        t = after(out, due, 2 if i < k - 1 else 3, end)
        if t is None:
            return 1
    return 0


def main():
    a = sys.argv[1:]
    if a[:1] == ["listen"] and len(a) == 3:
        listen(a[1], a[2])
    elif a == ["now"]:
        print("%.6f" % time.monotonic())
    elif a[:1] == ["ticks"] and len(a) == 6:
        sys.exit(ticks(a[1], float(a[2]), float(a[3]), int(a[4]), float(a[5])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
