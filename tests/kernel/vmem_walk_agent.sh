# tests/kernel/vmem_walk_agent.sh — the "agent" of the virtio-mem random walk
# (run_vmem_walk.py), sourced by both sides: the QEMU guest's /init
# (R= empty: the real /sys and /proc) and a shell on a hotmemfs mount
# (R=MNT).  Each function is one step or one snapshot; what it prints is
# compared line by line between the two sides.
#
#   vw_boot              remember the boot's memory blocks ($VW_DIR/boot)
#   vw_state N VALUE     write VALUE to memoryN/state: "state memoryN VALUE: ok|<errno text>"
#   vw_auto VALUE        write memory/auto_online_blocks
#   vw_huge N            write /proc/sys/vm/nr_hugepages, then read it back
#   vw_snap              the device's blocks (state, valid_zones), zoneinfo
#                        spanned/present/managed per zone, MemTotal, HugeTLB,
#                        /proc/iomem's virtio lines
: "${R:=}" "${VW_DIR:=/tmp}"
M=$R/sys/devices/system/memory
P=$R/proc

vw_blocks() { ls -d "$M"/memory[0-9]* 2>/dev/null | sed 's|.*/memory||' | sort -n; }

vw_boot() { vw_blocks > "$VW_DIR/boot"; }

# a write's outcome: "ok" or the strerror text of its failure.  dd, not
# the shell's printf/echo: busybox ash's builtins do not report a failed
# write of their stdout (a refused state write looked like "ok")
vw_write() {	# file value
	_e=$(printf '%s' "$2" | dd of="$1" conv=notrunc 2>&1 | grep -v "records\|bytes\|copied")
	if [ -z "$_e" ]; then echo ok; else echo "${_e##*: }"; fi
}

vw_state() { echo "state memory$1 $2: $(vw_write "$M/memory$1/state" "$2")"; }

vw_auto() { echo "auto_online_blocks $1: $(vw_write "$M/auto_online_blocks" "$1") -> $(cat "$M/auto_online_blocks")"; }

vw_huge() { echo "nr_hugepages $1: $(vw_write "$P/sys/vm/nr_hugepages" "$1") -> $(cat "$P/sys/vm/nr_hugepages")"; }

# the device's blocks: those not there at boot
vw_dev_blocks() { vw_blocks | grep -vxF -f "$VW_DIR/boot"; }

vw_snap() {
	for _n in $(vw_dev_blocks); do
		echo "block memory$_n $(cat "$M/memory$_n/state") $(cat "$M/memory$_n/valid_zones" 2>&1)"
	done
	awk '/^Node/ {z = $2 $4} $1 == "spanned" || $1 == "present" || $1 == "managed" {v[$1] = $2}
	     $1 == "managed" {print "zone", z, "spanned", v["spanned"], "present", v["present"], "managed", v["managed"]}' \
		"$P/zoneinfo"
	awk '/^MemTotal:|^HugePages_Total:|^HugePages_Free:/ {print}' "$P/meminfo" | tr -s ' '
	grep -i "virtio" "$P/iomem" | sed 's/^ *//'
	echo "auto_online_blocks $(cat "$M/auto_online_blocks")"
}
