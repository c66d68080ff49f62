#!/usr/bin/env python3
"""kpage.py: /proc/kpageflags and /proc/kpagecount as tools/mm/page-types.c
reads them (one pread() of 8 bytes a pfn, a range at once), for the tests.

  hist PROC START NR   the range's flag sets, page-types' way: a line a
                       (flags, count) pair, "FLAGS COUNT PAGES NAMES", by flags
  runs PROC START NR   the range as runs: "PFN+N FLAGS COUNT NAMES"
  entry PROC PFN       one pfn: "FLAGS COUNT"
  pread FILE SIZE OFF  one pread(): "ret=N" or the errno's name
FLAGS in hex; COUNT 0, 1 or 2+ (hist) or the count (runs, entry).
"""
import errno
import os
import struct
import sys

# include/uapi/linux/kernel-page-flags.h, then the kernel-hacking bits (32+)
NAMES = {0: "locked", 1: "error", 2: "referenced", 3: "uptodate", 4: "dirty", 5: "lru",
         6: "active", 7: "slab", 8: "writeback", 9: "reclaim", 10: "buddy", 11: "mmap",
         12: "anon", 13: "swapcache", 14: "swapbacked", 15: "compound_head",
         16: "compound_tail", 17: "huge", 18: "unevictable", 19: "hwpoison", 20: "nopage",
         21: "ksm", 22: "thp", 23: "offline", 24: "zero_page", 25: "idle", 26: "pgtable",
         32: "reserved", 33: "mlocked", 34: "owner_2", 35: "private", 36: "private_2",
         37: "owner_private", 38: "arch", 39: "uncached", 40: "softdirty", 41: "arch_2",
         42: "arch_3"}


def names(f):
    return ",".join(NAMES.get(b, "bit%d" % b) for b in range(64) if f >> b & 1) or "-"


def entries(path, start, nr):
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.pread(fd, nr * 8, start * 8)
    finally:
        os.close(fd)
    return struct.unpack("<%dQ" % (len(data) // 8), data)


def both(proc, start, nr):
    return (entries(os.path.join(proc, "kpageflags"), start, nr),
            entries(os.path.join(proc, "kpagecount"), start, nr))


def main():
    op = sys.argv[1]
    if op == "pread":
        fd = os.open(sys.argv[2], os.O_RDONLY)
        try:
            print("ret=%d" % len(os.pread(fd, int(sys.argv[3], 0), int(sys.argv[4], 0))))
        except OSError as e:
            print(errno.errorcode.get(e.errno, str(e.errno)))
        finally:
            os.close(fd)
        return 0
    proc, start = sys.argv[2], int(sys.argv[3], 0)
    nr = int(sys.argv[4], 0) if len(sys.argv) > 4 else 1
    flags, counts = both(proc, start, nr)
    if op == "entry":
        print("%#x %d" % (flags[0], counts[0]))
    elif op == "hist":
        hist = {}
        for f, c in zip(flags, counts):
            key = (f, "2+" if c > 1 else str(c))
            hist[key] = hist.get(key, 0) + 1
        for (f, c), n in sorted(hist.items()):
            print("%#x %s %d %s" % (f, c, n, names(f)))
    elif op == "runs":
        i = 0
        while i < len(flags):
            j = i + 1
            while j < len(flags) and (flags[j], counts[j]) == (flags[i], counts[i]):
                j += 1
            print("%#x+%d %#x %d %s" % (start + i, j - i, flags[i], counts[i], names(flags[i])))
            i = j
    else:
        print("kpage.py: unknown operation %s" % op, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
