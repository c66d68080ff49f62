#!/usr/bin/env python3
"""uffd_hold.py DIR READY: hold DIR's inode lock (shared) until SIGUSR1.

getdents64(2) on DIR into a buffer registered with userfaultfd(2): the
kernel's copy of the first entry faults, and the fault waits for us while
iterate_dir() holds DIR's inode lock (inode_lock_shared(); for FUSE the
cached listing's folio lock too).  A writer of that lock -- hotmemfs's
notifier in fuse_reverse_inval_entry() -- waits meanwhile, for as long as
we like: a real, deterministic stall of the notifier.  READY gets our pid
once the fault is ours; SIGUSR1 (to that pid: timeout(1) would not pass
it on) maps zero pages, the getdents64 ends and we exit 0.  Bounded: after
120 s without SIGUSR1 we let go anyway and exit 1.  Needs root (a
kernel-mode fault: CAP_SYS_PTRACE); exit 77 without userfaultfd.
"""
import ctypes
import os
import select
import signal
import struct
import sys
import threading

SYS_userfaultfd = 323  # x86_64
SYS_getdents64 = 217
UFFD_API = 0xAA
UFFDIO_API = 0xC018AA3F
UFFDIO_REGISTER = 0xC020AA00
UFFDIO_ZEROPAGE = 0xC020AA04
UFFDIO_REGISTER_MODE_MISSING = 1
UFFD_EVENT_PAGEFAULT = 0x12
PAGE = os.sysconf("SC_PAGE_SIZE")
SIZE = 2 * PAGE

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]


def ioctl(fd, req, buf):
    if libc.ioctl(fd, ctypes.c_ulong(req), buf) < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def main():
    if os.uname().machine != "x86_64":
        print("uffd_hold.py: x86_64 syscall numbers only", file=sys.stderr)
        return 77
    dirpath, ready = sys.argv[1], sys.argv[2]
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    uffd = libc.syscall(SYS_userfaultfd, os.O_CLOEXEC)
    if uffd < 0:
        print("uffd_hold.py: userfaultfd: %s" % os.strerror(ctypes.get_errno()), file=sys.stderr)
        return 77
    api = ctypes.create_string_buffer(struct.pack("QQQ", UFFD_API, 0, 0))
    ioctl(uffd, UFFDIO_API, api)
    addr = libc.mmap(None, SIZE, 3, 0x22, -1, 0)  # PROT_READ|WRITE, MAP_PRIVATE|ANONYMOUS
    reg = ctypes.create_string_buffer(struct.pack("QQQQ", addr, SIZE,
                                                  UFFDIO_REGISTER_MODE_MISSING, 0))
    ioctl(uffd, UFFDIO_REGISTER, reg)
    dfd = os.open(dirpath, os.O_RDONLY | os.O_DIRECTORY)
    result = {}

    def reader():
        n = libc.syscall(SYS_getdents64, dfd, ctypes.c_void_p(addr), SIZE)
        result["n"] = n if n >= 0 else -ctypes.get_errno()

    t = threading.Thread(target=reader)
    t.start()
    r, _, _ = select.select([uffd], [], [], 60)
    if not r:
        print("uffd_hold.py: getdents64 did not fault in 60 s", file=sys.stderr)
        return 1
    msg = os.read(uffd, 32)
    if msg[0] != UFFD_EVENT_PAGEFAULT:
        print("uffd_hold.py: unexpected event %#x" % msg[0], file=sys.stderr)
        return 1
    with open(ready + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(ready + ".tmp", ready)
    released = signal.sigtimedwait({signal.SIGUSR1}, 120) is not None
    zp = ctypes.create_string_buffer(struct.pack("QQQq", addr, SIZE, 0, 0))
    ioctl(uffd, UFFDIO_ZEROPAGE, zp)
    t.join(60)
    if t.is_alive():
        print("uffd_hold.py: getdents64 still running 60 s after the release", file=sys.stderr)
        return 1
    print("getdents64: %d%s" % (result["n"], "" if released else " (no SIGUSR1 in 120 s)"))
    return 0 if result["n"] > 0 and released else 1


if __name__ == "__main__":
    sys.exit(main())
