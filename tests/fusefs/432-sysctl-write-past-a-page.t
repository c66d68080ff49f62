#!/bin/bash
# A /proc/sys/vm write longer than a page is answered as 6.12 answers it:
# proc_sys_call_handler() hands the handler the whole write (sysfs's
# kernfs cuts at PAGE_SIZE, procfs's sysctls do not); __do_proc_dointvec()
# and __do_proc_doulongvec_minmax() read PAGE_SIZE - 1 bytes of it and
# answer the count less what they left (*lenp -= left).  So "100" and
# 4997 spaces is answered 5000, not 4096 (hotmemfs cut it at a page
# first: the writer saw a short write); "5", 4093 spaces, "6", then more
# is answered all but the "6" (the one byte of those read it left).
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts qemu-512m" --profile qemu-512m --cmdline hotmem.kernel_alloc=off --fresh
V=$MNT/proc/sys/vm
# lw FILE PYEXPR: one open(O_WRONLY) + write() of the bytes PYEXPR makes: "ret=N" or the errno
lw() {
	python3 - "$1" "$2" <<'PY'
import errno, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
try:
    print("ret=%d" % os.write(fd, eval(sys.argv[2])))
except OSError as e:
    print(errno.errorcode[e.errno])
os.close(fd)
PY
}
is "$(lw $V/min_free_kbytes 'b"100" + b" " * 4997')" "ret=5000" \
	"min_free_kbytes <- 100 and 4997 spaces: 5000 taken (proc_dointvec_minmax)"
is "$(cat $V/min_free_kbytes)" "100" "... set to 100"
is "$(lw $V/min_free_kbytes 'b"5" + b" " * 4093 + b"6" + b" " * 1000')" "ret=5094" \
	"min_free_kbytes <- 5, 4093 spaces, 6, 1000 spaces: 5094 of 5095, all but the 6 (left 1 of 4095 read)"
is "$(cat $V/min_free_kbytes)" "5" "... set to 5"
is "$(lw $V/min_free_kbytes 'b" " * 4095 + b"200"')" "EINVAL" \
	"min_free_kbytes <- 4095 spaces then 200: EINVAL (nothing but spaces read)"
is "$(cat $V/min_free_kbytes)" "5" "... still 5"
is "$(lw $V/admin_reserve_kbytes 'b"4096\n" + b" " * 6000')" "ret=6005" \
	"admin_reserve_kbytes <- 4096 and 6000 spaces: 6005 taken (proc_doulongvec_minmax)"
is "$(cat $V/admin_reserve_kbytes)" "4096" "... set"
is "$(lw $V/lowmem_reserve_ratio 'b"1 2 3" + b"\n" * 4200')" "ret=4205" \
	"lowmem_reserve_ratio <- 1 2 3 and 4200 newlines: 4205 taken"
is "$(cut -f1-3 $V/lowmem_reserve_ratio)" "$(printf '1\t2\t3')" "... the three set"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
