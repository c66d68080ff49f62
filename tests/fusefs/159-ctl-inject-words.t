#!/bin/bash
# hotmemctl says what a fault injection armed and how to clear it, as
# `inject` does (usereye5 #7: fail-nth-alloc and vmem-inject printed
# nothing); an offline refused with EINVAL says why when explain knows it
# (usereye5 #8b: `offline 0` said "Invalid argument" alone, its block
# spanning two zones).
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts" --fresh --profile qemu-512m --state none

is "$(ctl fail-nth-alloc 3 2>&1; echo "rc $?")" "fail-nth-alloc: the engine allocation 3 from now fails with ENOMEM, once (a failure it causes says \"FAULT_INJECTION: forcing a failure.\" in dmesg), until \`hotmemctl fail-nth-alloc 0\`
rc 0" "fail-nth-alloc 3: what fails, and how to clear it"
ctl fail-nth-alloc 1 >/dev/null
out=$(ctl hugetlb 4 2>&1)
is "$?:${out##* (}" "1:injected: fail-nth-alloc)" "a command the injection makes fail says so: $out"
is "$(ctl hugetlb 4 >/dev/null 2>&1; echo $?)" 0 "... the same again, the injection spent: it succeeds"
ctl fail-nth-alloc 3 >/dev/null
is "$(ctl fail-nth-alloc 0 2>&1; echo "rc $?")" "fail-nth-alloc: cleared: engine allocations succeed again
rc 0" "fail-nth-alloc 0: cleared"
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=0 >/dev/null
tap_ok $? "device_add virtio-mem-pci vm0"
is "$(ctl vmem-inject vm0 plug BUSY 2>&1; echo "rc $?")" "vm0: the device answers the guest's next plug request BUSY, until \`hotmemctl vmem-inject vm0 plug ACK count=0\`
rc 0" "vmem-inject vm0 plug BUSY: what the device answers, and how to clear it"
is "$(ctl vmem-inject vm0 unplug ERROR count=3 2>&1; echo "rc $?")" "vm0: the device answers the guest's next 3 unplug requests ERROR, until \`hotmemctl vmem-inject vm0 unplug ACK count=0\`
rc 0" "vmem-inject vm0 unplug ERROR count=3"
is "$(ctl vmem-inject vm0 plug ACK count=0 2>&1; echo "rc $?")" "vm0: injection cleared: the device answers plug requests as QEMU does
rc 0" "vmem-inject vm0 plug ACK count=0: cleared"
is "$(ctl explain 0 2>&1 | grep -c 'spans several zones: offlining refuses it (EINVAL)')" 1 \
	"explain 0: memory0 spans several zones"
is "$(ctl offline 0 2>&1; echo "rc $?")" "hotmemctl: error: memory0: offline failed: Invalid argument: it spans several zones: offlining refuses it (EINVAL) (\`hotmemctl explain 0\`)
rc 1" "offline 0: EINVAL, and why"
stop_fs
done_testing
