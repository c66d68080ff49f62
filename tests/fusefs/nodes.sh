# shellcheck shell=bash
# Node helpers for tests/fusefs/*.t, sourced after lib.sh: a fake host's
# cpu/ directory, and the reference 6.18 host's node entries to hold a
# nodeN/ against.

# fake_cpu_host NR [KERNEL_MAX]: a one-node host of CPUs 0..NR-1 (each
# cpuM/node0), kernel_max KERNEL_MAX (default 8191, Debian's NR_CPUS - 1),
# bound over /sys/devices/system/cpu.  Only in a private mount namespace
# (HOTMEM_PRIVATE_NS): the host's own directory is never covered.
fake_cpu_host() {
	local cpu=$TMP/cpu c
	[ -n "${HOTMEM_PRIVATE_NS:-}" ] || return 1
	# called again: the last fake host goes first (not piled up, no stale cpuM)
	if mountpoint -q /sys/devices/system/cpu; then umount /sys/devices/system/cpu || return 1; fi
	rm -rf "$cpu"
	for c in $(seq 0 $(($1 - 1))); do
		mkdir -p "$cpu/cpu$c"
		ln -s ../../node/node0 "$cpu/cpu$c/node0"
	done
	for c in possible present online; do echo "0-$(($1 - 1))" >"$cpu/$c"; done
	echo "${2:-8191}" >"$cpu/kernel_max"
	mount --bind "$cpu" /sys/devices/system/cpu
}

# node_ref_entries: the reference host's node0 entries but its cpuM (the
# host's CPUs) and memoryN: "MODE size=N NAME" lines
node_ref_entries() {
	sed -n '/^## \/sys\/devices\/system\/node\/node0 other entries/,/^$/p' \
		"$REF/sysfs-memory-host.txt" | awk '$1 !~ /^#/ && NF >= 5 && $5 !~ /^cpu[0-9]/ {print $1, $4, $5}'
}

# node_entries DIR: a nodeN/'s entries as node_ref_entries prints them
node_entries() {
	python3 - "$1" <<'PY'
import os, stat, sys
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    if name.startswith("memory") or (name.startswith("cpu") and name[3:].isdigit()):
        continue
    st = os.lstat(os.path.join(d, name))
    print(stat.filemode(st.st_mode), "size=%d" % st.st_size, name)
PY
}
