#!/bin/bash
# make run: the main job on the embedded default machine.
# Boots the default machine in the engine, plugs a DIMM, onlines it and
# shows the machine before and after.  (Grows into the full demo as the
# filesystem, daemon and tracer land: see README.)
set -euo pipefail
B=${1:-build}

echo "== hotmem: the embedded default machine"
"$B/hotmem" status
echo
echo "== plug a 512 MiB DIMM at 4 GiB (memmap on memory), online it, offline one block"
"$B/hotmem" --events --cmdline "memory_hotplug.memmap_on_memory=1" run - <<'S'
add 0x100000000 512M memmap_on_memory
online 32 online_movable
online 33 online_movable
online 34
online 35
alloc movable 20000
offline 33
blocks
meminfo
check
status
S
