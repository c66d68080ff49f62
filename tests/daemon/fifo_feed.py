#!/usr/bin/env python3
"""fifo_feed.py FIFO TEXT CMD...: once a reader has FIFO open (or is
blocked opening it), run CMD, then write TEXT and close: the reader reads
TEXT only after CMD is done.  Bounded: no reader within 20 s, exit 1."""
import errno
import os
import subprocess
import sys
import time

fifo, text, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
end = time.monotonic() + 20
while True:
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        break
    except OSError as e:
        if e.errno != errno.ENXIO or time.monotonic() > end:
            sys.exit(1)
        time.sleep(0.005)
rc = subprocess.call(cmd)
os.write(fd, text.encode())
os.close(fd)
sys.exit(rc)
