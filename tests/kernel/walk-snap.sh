# tests/kernel/walk-snap.sh — what tests/kernel/diffwalk.py compares after
# each step, sourced on both sides: the QEMU guest (M=/sys/devices/system/memory,
# P=/proc) and hotmemfs's mount (M=MNT/sys/devices/system/memory, P=MNT/proc).
# One line a fact, "KIND NAME key=value ...", blocks by number, so that the
# two sides' outputs compare line by line.  The blocks' files are read by
# the shell's own read (no process a file: a TCG guest forks slowly).
: "${M:=/sys/devices/system/memory}" "${P:=/proc}"
# _rd FILE: FILE's first line in _v.  sysfs files only: busybox 1.35's
# read takes a byte a read(2), which sysfs (kernfs, seq_file) serves at
# any offset, but a /proc/sys file not -- 6.12's __do_proc_dointvec() and
# its kin answer 0 at *ppos != 0, and hotmemfs as they do -- so a /proc/sys
# value read here would be its first character on both sides ("2" for
# min_free_kbytes 2522, in the 6.12.117 guest and on hotmemfs alike, a
# comparison that cannot fail): cat one.
_rd() { _v=; IFS= read -r _v < "$1" 2>/dev/null || [ -n "$_v" ] || _v="(unreadable)"; }
_rd "$M/auto_online_blocks"; echo "auto_online_blocks $_v"
# the blocks' size (hex): qemu_diffwalk.t finds a DIMM's block by it
_rd "$M/block_size_bytes"; echo "block_size_bytes $_v"
[ -e "$M/probe" ] && echo "probe present" || echo "probe absent"
for _b in $(ls -d "$M"/memory[0-9]* | sed 's|.*/memory||' | sort -n); do
	_d=$M/memory$_b
	_l="block memory$_b"
	for _f in state online valid_zones phys_device removable; do
		_rd "$_d/$_f"
		_l="$_l $_f=${_v// /,}"
	done
	_n=
	for _x in "$_d"/node[0-9]*; do [ -e "$_x" ] && _n="$_n${_n:+,}${_x##*/}"; done
	echo "$_l node=$_n"
done
awk '/^Node/ { z = $2 $4 } /^ *spanned/ { s = $2 } /^ *present/ { p = $2 }
     /^ *managed/ { printf "zone %s spanned=%s present=%s managed=%s\n", z, s, p, $2 }' "$P/zoneinfo"
awk '/^MemTotal:/ { print "meminfo MemTotal=" $2 }' "$P/meminfo"
grep "System RAM" "$P/iomem" | sed 's/^ */iomem /'
