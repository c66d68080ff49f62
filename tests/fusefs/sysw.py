#!/usr/bin/env python3
"""sysw.py OP PATH [VALUE]: one syscall-level probe, printed as the
reference fixtures print results.

  w PATH VALUE   open(O_WRONLY) + one write() + close(): "ret=N" or "ERRNAME"
                 VALUE takes Python escapes (\\n, \\x00)
  r PATH         open(O_RDONLY) + one read() + close(): "ret=N" or "ERRNAME"
  o PATH MODE    open(PATH, MODE) where MODE is r, w, rw, creat: "ok" or "ERRNAME"
  mkdir PATH     "ok" or "ERRNAME"
"""
import errno
import os
import sys


def en(e):
    return errno.errorcode.get(e.errno, str(e.errno))


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
