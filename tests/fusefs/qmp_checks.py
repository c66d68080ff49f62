# SPDX-License-Identifier: GPL-2.0
"""The Python side of the tests that speak QMP to hotmemfs's control
socket (tests/fusefs/145, 150-153, the refusals of 148 and
tests/reliability): tests/fusefs/lib.sh's qmp_conversation runs a test's
script with this and tests/kernel/qmp.py importable, the socket its
argv[1]; its qmp_reply runs this file as a program.

  ok(COND, NAME)          a check: a line "RC NAME" for conversation_checks
  all_ran()               the last line, "0 all N checks ran"
  raw_connect(PATH, ...)  a connection of its own, QMP's handshake done
  ask(S, EXECUTE, **ARGS) EXECUTE's reply on S (events skipped, or kept in
                          events_into=LIST; pieces=[N]: cut in writes,
                          each read by hotmemfs before the next is sent)
  peer_read(S)            once hotmemfs has read every byte sent on S
  reply(S, EVENTS)        the next reply on S
  shown(REPLY)            "CLASS: DESC" of an error, "return: JSON" else

qmp_checks.py SOCKET EXECUTE [ARGUMENTS-JSON]: EXECUTE's reply, shown():
a refusal is checked by QEMU's error class and words, not by a failed
exit status alone (which a connect error or a typo would give as well).
"""
import fcntl
import json
import socket
import struct
import sys
import termios
import time

from qmp import Lines, negotiate as qmp_negotiate

n = 0


def ok(cond, name):
    """check NAME, passed when COND holds"""
    global n
    n += 1
    print("%d %s" % (0 if cond else 1, name), flush=True)


def all_ran():
    """the conversation's last line: it ran to its end"""
    print("0 all %d checks ran" % n, flush=True)


def raw_connect(path=None, timeout=60, negotiate=True):
    """a connection of its own to the control socket PATH (argv[1]), each
    operation bounded by TIMEOUT seconds: a socket, QMP's handshake read
    and qmp_capabilities answered when NEGOTIATE (tests/kernel/qmp.py's
    negotiate(): nothing after them is read), the greeting unread else"""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(path or sys.argv[1])
    if negotiate:
        qmp_negotiate(s)
    return s


def reply(s, events=None):
    """the next reply on S (a dict), decoded as UTF-8 JSON; the events
    before it skipped, or appended to the list EVENTS"""
    f = Lines(s)
    while True:
        b = f.readline()
        if not b.endswith(b"\n"):
            raise EOFError("the control socket hung up before the reply: %r" % b)
        r = json.loads(b.decode("utf-8"))
        if "event" not in r:
            return r
        if events is not None:
            events.append(r)


def peer_read(s, bound=60):
    """return once hotmemfs has read (recv()) every byte sent on the Unix
    stream socket S: its SIOCOUTQ (TIOCOUTQ), the bytes the peer has not
    read yet, is 0.  So a request's second piece, sent after, comes in a
    read of its own: a reader that parsed only whole reads fails.  BOUND
    seconds a hang only (no timing is checked)"""
    end = time.monotonic() + bound
    while struct.unpack("i", fcntl.ioctl(s.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]:
        if time.monotonic() > end:
            raise TimeoutError("hotmemfs read nothing of a request's piece in %d s" % bound)
        time.sleep(0.001)


def ask(s, execute, *, events_into=None, pieces=None, **args):
    """EXECUTE sent on the negotiated socket S, its reply (a dict) read
    (reply()); PIECES: the request cut in writes at these lengths, each
    read by hotmemfs before the next is sent (peer_read())"""
    req = {"execute": execute}
    if args:
        req["arguments"] = args
    data = json.dumps(req).encode() + b"\n"
    for p in pieces or []:
        s.sendall(data[:p])
        peer_read(s)
        data = data[p:]
    s.sendall(data)
    return reply(s, events_into)


def shown(r):
    """a reply as a QMP client sees it: "CLASS: DESC", or "return: JSON\""""
    e = r.get("error")
    return "%s: %s" % (e["class"], e["desc"]) if e else "return: " + json.dumps(r.get("return"))


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: qmp_checks.py SOCKET EXECUTE [ARGUMENTS-JSON]")
    args = json.loads(sys.argv[3]) if len(sys.argv) == 4 else {}
    # a refused eject answers after its offline (up to 40 s a stuck block)
    s = raw_connect(sys.argv[1], timeout=300)
    print(shown(ask(s, sys.argv[2], **args)), flush=True)


if __name__ == "__main__":
    main()
