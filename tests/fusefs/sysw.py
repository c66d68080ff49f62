#!/usr/bin/env python3
"""sysw.py OP PATH [VALUE]: one syscall-level probe, printed as the
reference fixtures print results.

  w PATH VALUE   open(O_WRONLY) + one write() + close(): "ret=N" or "ERRNAME"
                 VALUE takes Python escapes (\\n, \\x00)
  wsig PATH VALUE  as w, with a SIGUSR1 handler (it returns), the write
                 libc's (ctypes: not retried at EINTR as os.write() is,
                 PEP 475): "ret=N" or "EINTR", then " handled=N", the
                 handler's calls by then
  pw PATH OFFSET VALUE  open(O_WRONLY) + one pwrite() at OFFSET + close():
                 "ret=N" or "ERRNAME" (a write past the start, as a sysctl
                 handler sees *ppos)
  r PATH         open(O_RDONLY) + one read() + close(): "ret=N" or "ERRNAME"
  o PATH MODE    open(PATH, MODE) where MODE is r, w, rw, creat: "ok" or "ERRNAME"
  mkdir PATH     "ok" or "ERRNAME"
"""
import ctypes
import errno
import os
import signal
import sys


def en(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def wsig(path, val):
    handled = []
    libc = ctypes.CDLL(None, use_errno=True)
    signal.signal(signal.SIGUSR1, lambda s, f: handled.append(s))
    fd = os.open(path, os.O_WRONLY)
    try:
        n = libc.write(fd, val, len(val))
        e = ctypes.get_errno()
    finally:
        os.close(fd)
    res = "ret=%d" % n if n >= 0 else errno.errorcode.get(e, str(e))
    print("%s handled=%d" % (res, len(handled)), flush=True)


def main():
    op, path = sys.argv[1], sys.argv[2]
    try:
        if op == "w":
            val = sys.argv[3].encode().decode("unicode_escape").encode("latin-1")
            fd = os.open(path, os.O_WRONLY)
            try:
                print("ret=%d" % os.write(fd, val))
            finally:
                os.close(fd)
        elif op == "pw":
            val = sys.argv[4].encode().decode("unicode_escape").encode("latin-1")
            fd = os.open(path, os.O_WRONLY)
            try:
                print("ret=%d" % os.pwrite(fd, val, int(sys.argv[3])))
            finally:
                os.close(fd)
        elif op == "wsig":
            wsig(path, sys.argv[3].encode().decode("unicode_escape").encode("latin-1"))
        elif op == "r":
            fd = os.open(path, os.O_RDONLY)
            try:
                print("ret=%d" % len(os.read(fd, 65536)))
            finally:
                os.close(fd)
        elif op == "o":
            mode = {"r": os.O_RDONLY, "w": os.O_WRONLY, "rw": os.O_RDWR,
                    "creat": os.O_WRONLY | os.O_CREAT,
                    "trunc": os.O_WRONLY | os.O_TRUNC}[sys.argv[3]]
            os.close(os.open(path, mode, 0o644))
            print("ok")
        elif op == "mkdir":
            os.mkdir(path)
            print("ok")
    except OSError as e:
        print(en(e))


if __name__ == "__main__":
    main()
