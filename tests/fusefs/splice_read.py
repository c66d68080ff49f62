#!/usr/bin/env python3
"""splice_read.py MODE PATH: PATH's content on stdout, copied as a
sendfile(2)/splice(2) user copies it (busybox cat, shutil.copyfile):
  sendfile  os.sendfile() to a pipe until it returns 0
  splice    os.splice() into a pipe until it returns 0
  read      read(2) until it returns 0, no fstat(2) before: the
            reference, which leaves the inode's cached size alone
            (coreutils cat's fstat refreshes it: a GETATTR)
The first two go through the file's f_op->splice_read, never its read(2)."""
import os
import sys


def copy(fd, mode, out):
    r, w = os.pipe()
    try:
        while True:
            if mode == "sendfile":
                n = os.sendfile(w, fd, None, 65536)
            else:
                n = os.splice(fd, w, 65536)
            if n == 0:
                return
            while n > 0:
                data = os.read(r, n)
                out.extend(data)
                n -= len(data)
    finally:
        os.close(r)
        os.close(w)


def main():
    mode, path = sys.argv[1], sys.argv[2]
    fd = os.open(path, os.O_RDONLY)
    out = bytearray()
    if mode == "read":
        while True:
            data = os.read(fd, 65536)
            if not data:
                break
            out.extend(data)
    else:
        copy(fd, mode, out)
    os.close(fd)
    sys.stdout.buffer.write(out)


if __name__ == "__main__":
    main()
