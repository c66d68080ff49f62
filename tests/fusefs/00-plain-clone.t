#!/bin/bash
# Every test runs from a plain clone: the real kernel's reference data is
# in the repository (tests/fixtures/reference), and nothing the project
# runs or builds reads ../shared (or /work/shared) any more.
. "$(dirname "$0")/lib.sh"
cd "$HOTMEM_SRC" || exit 1
dflt=$(HOTMEM_REFERENCE= bash -c '. tests/fusefs/lib.sh; echo "$REF"' 2>/dev/null)
is "$dflt" "$HOTMEM_SRC/tests/fixtures/reference" "tests/fusefs/lib.sh reads the reference from the repository"
for f in sysfs-memory-host.txt sysfs-memory-writes.txt sysfs-memory-read-poll.txt lsmem-host.txt \
	kernel-6.12-offline-dmesg.txt scripts/write_tests.py scripts/dump_sysfs.py README.md; do
	[ -s "tests/fixtures/reference/$f" ]
	tap_ok $? "tests/fixtures/reference/$f is in the repository"
done
grep -q "How\|how they were captured" tests/fixtures/reference/README.md
tap_ok $? "the fixtures' README says where and how they were captured"
# readers of ../shared: scripts, tests, makefiles, sources (prose that
# names the old place is not a reader; the kernel caches are not ours)
readers=$(grep -rlE '(\.\./|/work/)shared(/|\b)' --include='*.sh' --include='*.t' --include='*.py' \
	--include='*.mk' --include='*.c' --include='*.h' --include=Makefile \
	scripts tests engine fusefs daemon bpf Makefile 2>/dev/null |
	grep -v -e '^tests/kernel/cache/' -e '^tests/systemd/cache/' -e '^tests/fusefs/00-plain-clone.t$')
is "$readers" "" "nothing in the project reads ../shared"
echo "1..$T_N"
[ "$T_FAIL" -eq 0 ]
