#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A seeded random differential walk: one walk of random hotplug steps
driven, step for step, on a QEMU/TCG guest running Debian's 6.12 kernel
and on hotmemfs booted as the same machine, compared after every step.

usage: diffwalk.py KERNEL INITRD --config NAME --seed N --steps N
                   [--timeout SEC] [--log FILE] [--tap] [--hotmem BUILD]
       diffwalk.py KERNEL INITRD --config NAME --script FILE.json ...
       diffwalk.py KERNEL --calibration

The guest is a busybox initramfs (tests/kernel/guest-init-walk) whose
/init runs a command loop on its second serial port (ttyS1, a unix socket
chardev here): one shell command a line, answered by its output and
"@@RC N".  hotmemfs's control socket speaks QMP (docs/hotmemctl.md), so
both sides get the same QMP requests from one client (tests/kernel/qmp.py):
QEMU's device_add is an object-add of a memory-backend-ram and a pc-dimm
with memdev=, hotmem's a pc-dimm with size=.  Both sides' shell commands
run in busybox sh, so a failed write says the same words on both.

The steps (random.Random(seed), drawn from the guest's state, the truth):
pc-dimm device_add (sizes, slots, nodes, now and then a taken id or slot)
and device_del (now and then an unknown id); online, online_kernel,
online_movable, offline (and a word the kernel refuses) to memoryN/state;
1/0 to memoryN/online; auto_online_blocks; probe and remove where present.
--script replays given steps instead, a JSON list of them as Walk.do()
takes them: ["add", ID, BYTES, NODE|null, SLOT|null], ["del", ID],
["write", BLOCK, "state"|"online", WORD], ["auto", WORD] -- and, to force
a case a random walk meets by chance, ["hotmem", ARG...]: hotmemctl ARG...
on hotmemfs alone (its fault injection: `inject MEM_GOING_OFFLINE -16`),
a step compared as any other afterwards; --hotmem-cmdline WORDS boots
hotmemfs with more words than the guest (hotmem.kernel_alloc=off: an idle
kernel, whose first Normal DIMM an eject takes where the guest's slab in
it refuses: the KZ eject, forced).

After each step both sides are compared: each write's status and error
text, QMP replies (ok, or the error's class and words) and events
(DEVICE_DELETED, ACPI_DEVICE_OST, timestamps aside), block_size_bytes,
each block's state, online, valid_zones, phys_device, removable and node,
the zones' spanned, present and managed pages (/proc/zoneinfo), MemTotal,
/proc/iomem's System RAM lines and the hotplug lines of dmesg -- each after the
normalisation of ALLOWLIST below, the known and documented differences.

Before the first step the booted machines are compared, one TAP line:
their facts, and on qemu-512m's walks the boot's reservations as both
logs say them -- the "Memory:" line (its available count aside), the
"Freeing ... memory:" lines, RAMDISK and SWIOTLB.  The walk profile of
those walks is the guest's own: its kernel_image derived from the guest
kernel's vmlinux (its ELF sections), its initrd from the initramfs's size,
boot_reserved, brk and the unused decrypted bss calibrated (CALIBRATED, with
the versions they were measured on; --calibration says it all), so a
boot check that fails says what this guest measures.

With --tap: the plan first, the boot check's TAP line, one a step ("ok N
- seed S step N: WHAT"), the differences of a failed one as "#" lines
after it.  Exit 0 when the boot and every step agreed (or the walk
stopped on an allowed divergence, said), 1 when one differed, 2 when a
side could not run.
"""
import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from qmp import Guest, Qmp  # noqa: E402

MIB = 1 << 20
# the machine of every configuration: tests/kernel's QEMU guest, 512 MiB,
# four DIMM slots, QEMU's maxmem 4 GiB (device memory 3.5 GiB from 4 GiB);
# hotmem's qemu-512m profile is that guest (docs/profile.md)
QEMU_MACHINE = ["-m", "512M,slots=4,maxmem=4G"]
BASE_CMDLINE = "console=ttyS0 panic=-1 quiet loglevel=4 nokaslr"

# Two nodes, node 1 without CPUs: 256 MiB each (QEMU puts node 0's below
# node 1's), both CPUs on node 0.  hotmem: qemu-512m's ranges split at
# 256 MiB (its low RAM's ranges as qemu-512m's /proc/iomem shows them).
QEMU_2NODE = ["-object", "memory-backend-ram,id=n0,size=256M",
              "-object", "memory-backend-ram,id=n1,size=256M",
              "-numa", "node,nodeid=0,memdev=n0,cpus=0-1",
              "-numa", "node,nodeid=1,memdev=n1"]
PROFILE_2NODE = """profile = qemu-512m
name = walk-2node-cpuless
nodes = 2
cpu_nodes = 0
ram = 0x1000-0x9efff node=0
ram = 0x100000-0xfffffff node=0
ram = 0x10000000-0x1ffdffff node=1
"""

# name: (QEMU args, hotmem profile text or None for qemu-512m, cmdline)
CONFIGS = {
    "offline": ([], None, "memhp_default_state=offline"),
    "online": ([], None, "memhp_default_state=online"),
    "movable": ([], None, "memhp_default_state=online_movable"),
    "auto-movable": ([], None, "memhp_default_state=online memory_hotplug.online_policy=auto-movable"),
    "memmap": ([], None, "memhp_default_state=offline memory_hotplug.memmap_on_memory=1"),
    "movable_node": (QEMU_2NODE, PROFILE_2NODE, "memhp_default_state=online movable_node"),
    "2node": (QEMU_2NODE, PROFILE_2NODE, "memhp_default_state=offline"),
    "2node-online": (QEMU_2NODE, PROFILE_2NODE, "memhp_default_state=online"),
    # walk43: walks the CI does not run, by hand (diffwalk.py --config NAME)
    "auto-movable-ratio": ([], None, "memhp_default_state=online memory_hotplug.online_policy=auto-movable "
                           "memory_hotplug.auto_movable_ratio=50"),
    "auto-movable-ratio0": ([], None, "memhp_default_state=online memory_hotplug.online_policy=auto-movable "
                            "memory_hotplug.auto_movable_ratio=0"),
    "online_kernel-auto-movable": ([], None, "memhp_default_state=online_kernel memory_hotplug.online_policy=auto-movable"),
    "2node-numa-unaware": (QEMU_2NODE, PROFILE_2NODE,
                           "memhp_default_state=online memory_hotplug.online_policy=auto-movable "
                           "memory_hotplug.auto_movable_numa_aware=0 memory_hotplug.auto_movable_ratio=100"),
    "memmap-movable": ([], None, "memhp_default_state=online_movable memory_hotplug.memmap_on_memory=1"),
    "memmap-force": ([], None, "memhp_default_state=online memory_hotplug.memmap_on_memory=force"),
    "2node-auto-movable": (QEMU_2NODE, PROFILE_2NODE, "memhp_default_state=online memory_hotplug.online_policy=auto-movable"),
    # ZONE_MOVABLE at boot.  They differed from boot on until brk44
    # (walk43): the guest's brk -- arch/x86/kernel/setup.c reserve_brk(),
    # the [_brk_start, _brk_end) pages used after .bss, 17 on 6.12.118
    # (memblock=debug: "memblock_reserve: [0x3c00000-0x3c10fff]
    # setup_arch") -- stays below the Movable zone, where hotmem's
    # engine/setup.c took them top-down in boot_reserved's lump (DMA32's
    # managed 17 pages above the guest's, Movable's 17 below).  The walk
    # profile's brk (CALIBRATED) reserves them where the guest does.
    "movablecore": ([], None, "memhp_default_state=online movablecore=128M"),
    "kernelcore": ([], None, "memhp_default_state=online_movable kernelcore=256M"),
}
NODES = {"movable_node": 2, "2node": 2, "2node-online": 2, "2node-auto-movable": 2, "2node-numa-unaware": 2}


# The guest boots with nokaslr: KASLR places its image anew each boot and
# its boot reservations move with it by a few pages (126168K, 126176K,
# 126180K "reserved" seen, the same initramfs), so a walk comparing
# MemTotal and managed as they are needs one placement: its link address,
# x86_64's __START_KERNEL_map (0xffffffff80000000) less, _text at
# CONFIG_PHYSICAL_START 0x1000000.
START_KERNEL_MAP = 0xffffffff80000000
SHF_ALLOC = 0x2

# What the walk profile does not derive from the guest kernel's image but
# takes as measured, with the Debian 6.12 versions it was measured on
# (the walk's nokaslr guest, 512 MiB, its initramfs).  Each is compared
# at boot (Walk.boot_check()): a guest whose boot says otherwise fails
# its walk's boot check naming its version and the number it measures.
#  - boot_reserved: the rest of the boot's memblock allocations (page
#    tables, NODE_DATA, percpu, KFENCE, SWIOTLB's slots...): the "Memory:"
#    line's reserved (126168K on both) less the memmap, image, initrd,
#    first MiB, SWIOTLB and brk.  No section says it.  6.12.118's MemTotal is
#    8 KiB below 6.12.117's for its image alone (rodata 4 KiB longer,
#    its rodata/data gap and init 4 KiB shorter each), not for more of
#    this: a1bbd2da's 4396K for 6.12.118 made up for 6.12.117's image.
#    The built-in qemu-512m's is 4328K and a 68K brk (engine/config.c;
#    4396K with the brk inside until builtin44), measured on
#    another boot (tests/fixtures/boot-map: KASLR at 0x8a00000, a 1100K
#    initramfs): 8 KiB more on 6.12.117 and 6.12.118 alike; which of the
#    boots' differences takes them is not found (not modelled).
#  - brk: the brk the boot used, reserve_brk()'s [_brk_start, _brk_end)
#    from the page after .bss (engine/setup.c, docs/profile.md): 68K, 17
#    pages, on 6.12.118 (memblock=debug's "memblock_reserve:
#    [0x3c00000-0x3c10fff] setup_arch", walk43).  The .brk section's size
#    is its limit (64K slop and the brk users' RESERVE_BRK()s), not what
#    the boot used, so no section says it.  It was in boot_reserved until
#    brk44: 4388K (measured on both versions) is boot_reserved 4320K and
#    brk 68K, 6.12.117's brk taken to be 6.12.118's (not measured there).
#  - the unused part of .bss..decrypted, [__start_bss_decrypted_unused,
#    __end_bss_decrypted) ("Freeing unused decrypted memory: 2028K" on
#    both).  Its end is derived (__end_bss_decrypted is ALIGN(PMD_SIZE)
#    and __bss_stop the page after: .bss's end), its start is not: 6.12's
#    BSS_DECRYPTED puts the .bss..decrypted input sections inside the
#    .bss output section, __start_bss_decrypted_unused the page after
#    them, so no section header has their size; the symbols are not in
#    what the repository has either -- the stripped vmlinux of the
#    bzImage keeps none, Debian's System.map in linux-image is a stub
#    ("The real System.map is in the linux-image-<version>-dbg package",
#    checked 2026-12-04 on 6.12.118's), and 6.12's BTF has a DATASEC for
#    .data..percpu alone (pahole encodes no other globals there).
CALIBRATED = {"boot_reserved": (4320 << 10, ("6.12.117", "6.12.118")),
              "brk": (68 << 10, ("6.12.118",)),
              "bss_decrypted_unused": (2028 << 10, ("6.12.117", "6.12.118"))}


def bzimage_version(kernel):
    """the kernel's release as its bzImage's setup header says it (the
    kernel_version field at 0x20e, its string 0x200 further: what uname -r
    says), or None"""
    with open(kernel, "rb") as f:
        head = f.read(0x10000)
    if len(head) < 0x210 or head[0x202:0x206] != b"HdrS":
        return None
    ptr = int.from_bytes(head[0x20e:0x210], "little") + 0x200
    if ptr >= len(head):
        return None
    return head[ptr:head.index(b"\0", ptr)].split(b" ")[0].decode(errors="replace")


def elf_sections(path):
    """{name: (sh_addr, sh_size, sh_flags, load address)} of an ELF64
    little-endian file: the load address (LMA) by the program header
    whose file range holds the section (a PT_LOAD's p_paddr), else None"""
    import struct
    with open(path, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise Broken("%s: not a 64-bit little-endian ELF" % path)
    phoff, shoff = struct.unpack_from("<QQ", elf, 0x20)
    phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", elf, 0x36)
    # p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz
    phdrs = [struct.unpack_from("<IIQQQQ", elf, phoff + i * phentsize) for i in range(phnum)]
    # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size
    hdrs = [struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    stroff = hdrs[shstrndx][4]

    def name(off):
        return elf[stroff + off:elf.index(b"\0", stroff + off)].decode()

    def lma(off):
        return next((p[4] + off - p[2] for p in phdrs
                     if p[0] == 1 and p[2] <= off < p[2] + max(p[5], 1)), None)
    return {name(h[0]): (h[3], h[5], h[2], lma(h[4])) for h in hdrs}


def kernel_image_of(kernel):
    """The walk profile's kernel_image, derived from the guest kernel's own
    image: its vmlinux (extract-vmlinux.sh, as the kernel's
    scripts/extract-vmlinux) has no symbols but its section headers, and
    x86_64 6.12's vmlinux.lds.S puts the symbols mem_init_print_info(),
    the /proc/iomem Kernel lines and free_initmem() use at their edges:
    _text/_etext .text's, __start_rodata .rodata's start and
    __end_rodata the page after RO_DATA()'s last section (the sections
    between .rodata and .data; X86_ALIGN_RODATA_END's 2 MiB padding after
    it is the rodata/data gap), _sdata/_edata .data's, .smp_locks and
    __bss_start/__bss_stop .bss's.  __init_begin and __init_end are
    empty sections' (.init.begin, .init.end), which objcopy's -S for
    vmlinux.bin drops: __init_begin is where PERCPU_VADDR() puts
    __per_cpu_load, .data..percpu's load address (its sh_addr is 0, the
    per-CPU offsets'), and __init_end the page after the last section
    before .smp_locks.  Physical as the nokaslr guest runs it
    (START_KERNEL_MAP).  [(name, start, inclusive end)]."""
    tmp = tempfile.mkdtemp(prefix="walk-vmlinux-")
    try:
        vmlinux = os.path.join(tmp, "vmlinux")
        r = subprocess.run([os.path.join(HERE, "extract-vmlinux.sh"), kernel, vmlinux],
                           capture_output=True, text=True)
        if r.returncode:
            raise Broken("kernel_image: %s" % (r.stderr.strip() or "extract-vmlinux.sh failed"))
        sec = elf_sections(vmlinux)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    need = (".text", ".rodata", ".data", ".data..percpu", ".init.text", ".smp_locks", ".bss")
    missing = [n for n in need if n not in sec]
    if missing or sec[".data..percpu"][3] is None:
        raise Broken("kernel_image: %s's vmlinux has no section %s (not x86_64 6.12's vmlinux.lds.S)"
                     % (kernel, ", ".join(missing) or ".data..percpu loaded"))

    def span(n):
        return sec[n][0], sec[n][0] + sec[n][1]

    def end_of_sections(lo, hi):
        """the page after the allocated sections from @lo to before @hi"""
        end = max(a + size for a, size, flags, _ in sec.values()
                  if flags & SHF_ALLOC and sec[lo][0] <= a < sec[hi][0])
        return (end + 4095) & ~4095
    bss = span(".bss")
    parts = [("code", span(".text")),
             ("rodata", (sec[".rodata"][0], end_of_sections(".rodata", ".data"))),
             ("data", span(".data")),
             ("init", (sec[".data..percpu"][3] + START_KERNEL_MAP,
                       end_of_sections(".init.text", ".smp_locks"))),
             ("smp_locks", span(".smp_locks")),
             ("bss", bss),
             ("bss_decrypted_unused", (bss[1] - CALIBRATED["bss_decrypted_unused"][0], bss[1]))]
    return [(n, a - START_KERNEL_MAP, b - START_KERNEL_MAP - 1) for n, (a, b) in parts]


def calibration(kernel):
    """what the walk profile takes as measured (CALIBRATED), for the guest
    kernel @kernel: [(key, bytes, versions measured on, its version if
    not among them, else None)]"""
    ver = bzimage_version(kernel) or "(no version in %s)" % os.path.basename(kernel)
    out = []
    for key, (size, on) in CALIBRATED.items():
        out.append((key, size, on, None if ver.split("+")[0] in on else ver))
    return out


def say_calibration(kernel):
    """the walk profile's origins, as "#" lines (qemu_diffwalk.t's plan)"""
    ver = bzimage_version(kernel)
    lines = ["# walk profile for %s (%s): qemu-512m as its nokaslr guest boots" %
             (os.path.basename(kernel), ver)]
    image = kernel_image_of(kernel)
    lines.append("#   kernel_image derived from its vmlinux's ELF sections: " +
                 ", ".join("%s %dK" % (n, (b + 1 - a) >> 10) for n, a, b in image
                           if n not in CALIBRATED))
    lines.append("#   initrd derived: where QEMU's x86_load_linux() puts the walk's initramfs")
    for key, size, on, unknown in calibration(kernel):
        lines.append("#   %s %dK calibrated, measured on %s%s" % (
            key, size >> 10, ", ".join(on),
            "; NOT on %s: its boot check says whether it holds" % unknown if unknown else ""))
    return lines


def qemu_512m_walk_profile(initrd, kernel):
    """qemu-512m as the walk's nokaslr guest boots: its image where
    kernel_image_of() finds it; its initrd, the walk's initramfs, where QEMU
    7.2's x86_load_linux() puts it, (below_4g_mem_size -
    acpi_data_size(0x20000) - 1 - size) & ~4095, reserved page-wide by
    early_reserve_initrd() (the built-in's is its capture's 1100K; until
    populate_rootfs() frees it the boot's free memory --
    init_per_zone_wmark_min()'s min_free_kbytes -- is the guest's only
    with the guest's initrd: 2522 here, not 2526); boot_reserved and brk
    as measured (CALIBRATED): the built-in's 4328K and 68K brk are its
    KASLR capture's (4396K, the brk inside, until builtin44)."""
    size = os.path.getsize(initrd)
    start = ((512 << 20) - 0x20000 - 1 - size) & ~4095
    image = " ".join("%s=%#x-%#x" % part for part in kernel_image_of(kernel))
    return ("profile = qemu-512m\nkernel_image = %s\ninitrd = %#x-%#x\nboot_reserved = %dK\n"
            "brk = %dK\n" % (image, start, ((start + size + 4095) & ~4095) - 1,
                             CALIBRATED["boot_reserved"][0] >> 10, CALIBRATED["brk"][0] >> 10))

# ---- the allowlist: known, documented differences -----------------------------
# Each entry normalises one difference away on both sides' facts, and
# says where it is documented.  Nothing else is normalised.
ALLOWLIST = [
    # K0, the MemTotal memblock gap, for a profile without boot
    # reservations only -- the 2-node walks' (its ram lines drop
    # qemu-512m's): the guest's kernel image and boot memblock reservations
    # (SWIOTLB's 64 MiB among them) are not taken there, so MemTotal and
    # each zone's managed pages sit above the guest's from boot on
    # (docs/profile.md, kernel_image ... boot_reserved).  Compared: their
    # changes since boot, not their values.  qemu-512m takes the guest's
    # reservations (2026-12-03): its walks compare MemTotal, managed and
    # the zonelists' "Total pages" as they are.
    ("K0", "docs/profile.md kernel_image ... boot_reserved: a profile without the guest's boot reservations",
     "delta:meminfo MemTotal,zone managed (2-node walks)"),
    # KZ: the kernel's own allocations are a model (docs/engine.md "Where
    # we differ": "sites, sizes and timing are calibrated ... not traced"):
    # whether an unmovable kernel allocation has landed in a kernel-zone
    # (Normal/DMA32) block when it is offlined is the guest's timing; its
    # offline fails EBUSY on one side and not the other (tests/kernel/
    # qemu_hotplug.t's guest_usual says the same of the real guest alone).
    # The walk puts the side that went offline back online in the same
    # zone and goes on.  A device_del whose eject one side refused (_OST
    # 0x82, "memory memoryN: Offline failed." for a block that was online
    # in a kernel zone) and the other did ends the walk: that step is
    # "ok", said KZ, with both sides' differences as "#" lines, and the
    # steps left "# SKIP" (Walk.kz_eject()).  Any other eject that went
    # two ways is "not ok".
    ("KZ", "docs/engine.md 'Where we differ': the kernel's own allocations are a model",
     "kernel-zone offline"),
    # W5 (abuse31 W5): a HugeTLB pool filled to the last 2 MiB block, then
    # a DIMM plugged: the guest refuses it (its watermark boost), hotmem
    # adds it (tests/fusefs/369's TODO); the walk grows no pool, so W5
    # cannot arise: named for completeness (docs/engine.md, HugeTLB).
    ("W5", "docs/engine.md HugeTLB: 'refused by the guest on every boot ... and is added here' (abuse31 W5)",
     "no hugetlb pool"),
    # E820: the guest's first System RAM line ends at 0x9fbff (QEMU's e820),
    # hotmem's at 0x9efff where a profile has no e820 table (its ranges are
    # whole pages; since 201e96eb qemu-512m has QEMU's table and shows
    # 0x9fbff itself, the 2-node profile not yet: docs/profile.md).  Both
    # sides' line is read as 0x9efff.
    ("E820", "docs/profile.md qemu-512m: /proc/iomem's first System RAM line ends at 0x9efff",
     "iomem 00001000-0009fbff"),
    # D7: hotmem's pr_debug() lines (level 7) and its own "hotmem:" lines
    # are left out of its dmesg (docs/engine.md "Why it failed": "filter
    # <7> out to compare with a guest's dmesg"; "Where we differ": the
    # "hotmem:" debug line is the emulator's).  See dmesg_lines().
    ("D7", "docs/engine.md 'Why it failed' and 'Where we differ': <7> and hotmem: lines",
     "dmesg <7>, hotmem:"),
    # MA: the boot's "Memory: NK/MK available (...)" line's N, the free
    # pages then: the guest's kernel has allocated about 1000 pages by
    # that line (a count that moves from boot to boot), hotmem's none
    # (docs/profile.md kernel_image).  Compared without it; the rest of
    # the line -- the sections' sizes, the reserved total -- as it is
    # (Walk.boot_check()).
    ("MA", "docs/profile.md kernel_image: the Memory: line's available count is hotmem's free pages",
     "Memory: available"),
    # T: timestamps.  dmesg's "[ 12.345678] " and QMP events' "timestamp"
    # are the clocks of two different machines.
    ("T", "clocks: not the machine", "timestamps"),
]

# KZ: the zones the kernel's own allocations land in (an online block's
# valid_zones is its zone)
KERNEL_ZONES = ("Normal", "DMA32", "DMA")

# dmesg lines of hotplug compared (their timestamps cut, T); the rest of a
# guest's log (its devices, its boot) is not the machine hotmem models
DMESG_HOTPLUG = re.compile(
    r"(memory|hotplug|[Oo]ffline|[Oo]nline|PNP0C80|acpi_memhotplug|Movable|"
    r"zonelist|page dumped|unmovable|migrat|Fallback order|Policy zone)")
# K0 again: the zonelists' "Total pages" counts the managed pages
# a line's level (hotmemctl dmesg says it, as /dev/kmsg) and time (T)
DMESG_STAMP = re.compile(r"^(<\d+>)?(\[\s*[0-9.]+\]\s*)?")
# the boot's lines of its memblock reservations, compared once, at boot
# (Walk.boot_check()): mem_init_print_info()'s, free_reserved_area()'s,
# reserve_initrd()'s and swiotlb_print_info()'s
BOOT_RESERVE_LINES = re.compile(
    r"^(Memory: |Freeing .* memory: \d+K$|RAMDISK: |software IO TLB: mapped |PCI-DMA: )")
MEMORY_LINE = re.compile(r"^Memory: (\d+)K/(\d+)K available \(.*, (\d+)K reserved, ")
# KZ: the lines of a zonelist rebuild (6.12's build_all_zonelists() after
# an offline emptied a zone), the only ones an eject's side logs
ZONELIST_REBUILD = re.compile(r"(Fallback order for Node \d+:|Built \d+ zonelists|Policy zone: )")

ERRNO_OF = {}
for _e in range(1, 134):
    ERRNO_OF.setdefault(os.strerror(_e), _e)


def errno_name(text):
    """the errno of busybox sh's error line, by its strerror words"""
    for words, e in ERRNO_OF.items():
        if text.rstrip().endswith(words):
            import errno as _errno
            return _errno.errorcode.get(e, str(e))
    return None


class Broken(Exception):
    """a side could not run (not a difference)"""


# ---- the guest --------------------------------------------------------------------
class GuestSide:
    name = "6.12"

    def __init__(self, kernel, initrd, qemu_args, cmdline, log, timeout):
        self.tmp = tempfile.mkdtemp(prefix="walk-guest-")
        self.sh_path = os.path.join(self.tmp, "sh.sock")
        cmd = (["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-smp", "2",
                "-nographic", "-no-reboot", "-nic", "none"] + QEMU_MACHINE + qemu_args +
               # ttyS0 the console (QEMU's default, made explicit: a
               # second serial port drops the default one), ttyS1 the loop
               ["-serial", "mon:stdio", "-serial", "unix:%s,server=on,wait=off" % self.sh_path,
                "-kernel", kernel, "-initrd", initrd,
                "-append", "%s %s" % (BASE_CMDLINE, cmdline)])
        self.log = log
        self.g = Guest(cmd, log, timeout, prefix="walk-qemu-")
        self.ready = threading.Event()
        self.panicked = False
        self.q = None
        self.objects = 0

    def __enter__(self):
        self.g.__enter__()
        self.log.write("# %s\n" % " ".join(self.g.cmd))
        threading.Thread(target=self._console, daemon=True).start()
        return self

    def _console(self):
        for line in self.g.lines():
            if "WALK-READY" in line:  # after the firmware's escapes
                self.ready.set()
            if "Kernel panic" in line:
                self.panicked = True
        self.ready.set()  # QEMU ended: start() says so

    def start(self, boot_timeout):
        if not self.ready.wait(boot_timeout) or self.g.p.poll() is not None:
            raise Broken("the guest did not boot to its command loop (%s)" %
                         ("kernel panic" if self.panicked else "no WALK-READY"))
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(self.sh_path)
        self.buf = b""
        # the loop may not read ttyS1 yet: a line sent too early is lost
        for _ in range(20):
            try:
                out, rc = self.sh("echo walk-sync", timeout=3)
                if "walk-sync" in out:
                    break
            except TimeoutError:
                continue
        else:
            raise Broken("the guest's command loop does not answer")
        self.q = self.g.qmp(timeout=60, log=self.log)

    def sh(self, cmd, timeout=120):
        """@cmd run by the guest's shell: (output, status)"""
        self.log.write("SH> %s\n" % cmd)
        self.s.sendall(cmd.encode() + b"\n")
        end = time.monotonic() + timeout
        while True:
            m = re.search(rb"@@RC (\d+)\n", self.buf)
            if m:
                out = self.buf[:m.start()].decode(errors="replace")
                self.buf = self.buf[m.end():]
                self.log.write(out + "SH< rc %s\n" % m.group(1).decode())
                return out, int(m.group(1))
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("guest: no answer to %r in %d s" % (cmd, timeout))
            self.s.settimeout(left)
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                continue
            if not d:
                raise Broken("the guest's command loop hung up")
            self.buf += d.replace(b"\r", b"")

    def device_add(self, dev_id, size, node, slot):
        self.objects += 1
        mem = "walkmem%d" % self.objects
        try:
            self.q.cmd("object-add", **{"qom-type": "memory-backend-ram", "id": mem, "size": size})
        except RuntimeError as e:
            return {"error": str(e)}
        return dimm_add(self.q, dev_id, node, slot, memdev=mem)

    def memory(self):
        return "/sys/devices/system/memory"

    def snap(self):
        out, _ = self.sh(". /walk-snap.sh")
        return out

    def dmesg(self):
        out, _ = self.sh("dmesg -c")
        return out.splitlines()

    def __exit__(self, *exc):
        try:
            self.g.__exit__(*exc)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return False


# ---- hotmemfs ------------------------------------------------------------------------
class HotmemSide:
    name = "hotmem"

    def __init__(self, build, profile_text, cmdline, log):
        self.build, self.log = build, log
        self.tmp = tempfile.mkdtemp(prefix="walk-hotmem-")
        self.mnt = os.path.join(self.tmp, "mnt")
        os.mkdir(self.mnt)
        self.sock = os.path.join(self.tmp, "ctl.sock")
        profile = "qemu-512m"
        if profile_text:
            profile = os.path.join(self.tmp, "walk.profile")
            with open(profile, "w") as f:
                f.write(profile_text)
        self.cmd = [os.path.join(build, "hotmemfs"), "-p", profile, "-c", cmdline,
                    "-s", self.sock, "-S", "none", "-n", "none", self.mnt]
        self.p = None
        self.q = None
        self.dmesg_seen = 0

    def __enter__(self):
        self.log.write("# %s\n" % " ".join(self.cmd))
        self.err = open(os.path.join(self.tmp, "hotmemfs.err"), "w")
        self.p = subprocess.Popen(self.cmd, stdout=self.err, stderr=self.err,
                                  stdin=subprocess.DEVNULL)
        return self

    def start(self, boot_timeout):
        end = time.monotonic() + boot_timeout
        while not os.path.isdir(os.path.join(self.mnt, "sys/devices/system/memory")):
            if self.p.poll() is not None or time.monotonic() > end:
                raise Broken("hotmemfs did not mount: %s" %
                             open(self.err.name).read().strip()[-500:])
            time.sleep(0.1)
        self.q = Qmp(self.sock, timeout=60, log=self.log)

    def sh(self, cmd, timeout=120):
        env = dict(os.environ, M=self.memory(), P=os.path.join(self.mnt, "proc"))
        self.log.write("HM> %s\n" % cmd)
        r = subprocess.run(["busybox", "sh", "-c", cmd], env=env, capture_output=True,
                           text=True, timeout=timeout)
        out = r.stdout + r.stderr
        self.log.write(out + "HM< rc %d\n" % r.returncode)
        return out, r.returncode

    def device_add(self, dev_id, size, node, slot):
        return dimm_add(self.q, dev_id, node, slot, size=size)

    def memory(self):
        return os.path.join(self.mnt, "sys/devices/system/memory")

    def snap(self):
        out, _ = self.sh(". %s/walk-snap.sh" % HERE)
        return out

    def _dmesg_all(self):
        r = subprocess.run([os.path.join(self.build, "hotmemctl"), "-s", self.sock, "dmesg"],
                           capture_output=True, text=True, timeout=60)
        return r.stdout.splitlines()

    def ctl(self, *args):
        """hotmemctl ARGS against this hotmemfs (a scripted step's forcing)"""
        r = subprocess.run([os.path.join(self.build, "hotmemctl"), "-s", self.sock] + list(args),
                           capture_output=True, text=True, timeout=60)
        self.log.write("HM> hotmemctl %s\n%s%sHM< rc %d\n" % (" ".join(args), r.stdout, r.stderr,
                                                             r.returncode))
        if r.returncode:
            raise Broken("hotmemctl %s: %s" % (" ".join(args), (r.stdout + r.stderr).strip()))

    def dmesg(self):
        lines = self._dmesg_all()
        new, self.dmesg_seen = lines[self.dmesg_seen:], len(lines)
        return new

    def __exit__(self, *exc):
        if self.q:
            self.q.close()
        if self.p and self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        subprocess.run(["fusermount3", "-u", self.mnt], capture_output=True)
        self.err.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return False


def qmp_call(q, name, args):
    """a QMP command's outcome as compared: "ok", or the error's class and words"""
    try:
        q.cmd(name, **args)
        return {"return": "ok"}
    except RuntimeError as e:
        m = re.match(r"QMP \S+: (.*)$", str(e), re.S)
        err = m.group(1) if m else str(e)
        try:
            import ast
            err = ast.literal_eval(err)
        except (ValueError, SyntaxError):
            pass
        return {"error": err}


def dimm_add(q, dev_id, node, slot, **memory):
    """a pc-dimm's device_add over @q, its memory as the side takes it
    (QEMU memdev=, hotmem size=), the node and slot where given"""
    args = dict({"driver": "pc-dimm", "id": dev_id}, **memory)
    if node is not None:
        args["node"] = node
    if slot is not None:
        args["slot"] = slot
    return qmp_call(q, "device_add", args)


def drain_events(q, wait, until=None):
    """the events @q has (QMP, timestamps cut: T) after @wait seconds, or as
    soon as one satisfies @until(event) and 0.5 s more"""
    got = []
    end = time.monotonic() + wait
    while True:
        while q.seen:
            e = q.seen.pop(0)
            e.pop("timestamp", None)
            got.append(e)
            if until and until(e):
                until = None
                end = min(end, time.monotonic() + 0.5)
        left = end - time.monotonic()
        if left <= 0:
            return got
        q.s.settimeout(left)
        try:
            r = q._reply()
            if r is not None:
                got.append({"unexpected-reply": r})
        except (socket.timeout, TimeoutError):
            pass


# ---- the walk ------------------------------------------------------------------------
class Walk:
    def __init__(self, a, guest, hm, out):
        self.a, self.guest, self.hm, self.out = a, guest, hm, out
        self.r = random.Random(a.seed)
        self.nodes = NODES.get(a.config, 1)
        self.devices = {}  # id -> size: the guest's (the truth)
        self.next_id = 1
        self.base = None  # K0's boot values per side
        # K0: only a profile of its own (the 2-node walks') lacks the guest's boot reservations
        self.k0 = CONFIGS[a.config][1] is not None
        self.diverged = None
        self.script = None  # --script's steps, left to take

    # what each side's snapshot is compared as
    def facts(self, side, text):
        lines = [ln for ln in text.splitlines() if ln.strip()]
        # E820
        lines = [ln.replace("iomem 00001000-0009fbff ", "iomem 00001000-0009efff ") for ln in lines]
        # K0: MemTotal and managed as changes since boot
        vals = {}
        for ln in lines:
            m = re.match(r"(meminfo MemTotal=)(\d+)$", ln)
            if m:
                vals["MemTotal"] = int(m.group(2))
            m = re.match(r"zone (\S+) .* managed=(\d+)$", ln)
            if m:
                vals["managed " + m.group(1)] = int(m.group(2))
        if not self.k0 or self.base is None or side not in self.base:
            return lines, vals
        base = self.base[side]
        norm = []
        for ln in lines:
            m = re.match(r"meminfo MemTotal=(\d+)$", ln)
            if m:
                ln = "meminfo MemTotal(since boot)=%+d" % (int(m.group(1)) - base.get("MemTotal", 0))
            m = re.match(r"(zone (\S+) .* managed=)(\d+)$", ln)
            if m:
                b = base.get("managed " + m.group(2))
                ln = m.group(1) + ("%+d(since boot)" % (int(m.group(3)) - b) if b is not None
                                   else m.group(3) + "(new zone)")
            norm.append(ln)
        return norm, vals

    def snapshot(self):
        s = {}
        for side in (self.guest, self.hm):
            lines, vals = self.facts(side.name, side.snap())
            s[side.name] = (lines, vals)
        return s

    def blocks(self, lines):
        b = {}
        for ln in lines:
            m = re.match(r"block memory(\d+) state=(\S+) online=\S+ valid_zones=(\S+)", ln)
            if m:
                b[int(m.group(1))] = (m.group(2), m.group(3))
        return b

    def dmesg_lines(self, side):
        # D7: hotmem's ring keeps the kernel's pr_debug() lines at level 7
        # ("memory offlining [mem ...] failed due to ...") that a guest logs
        # only with dynamic debug on: "filter <7> out to compare with a
        # guest's dmesg" (docs/engine.md, "Why it failed"); its own
        # "hotmem:" lines (an offline's explain) are the emulator's, not
        # the kernel's (docs/engine.md "Where we differ": "`explain` and the
        # "hotmem:" debug line are the emulator's").
        lines = [ln for ln in side.dmesg() if not ln.startswith("<7>")]
        lines = [ln for ln in lines if not DMESG_STAMP.sub("", ln).startswith("hotmem: ")]
        lines = [DMESG_STAMP.sub("", ln).rstrip() for ln in lines if DMESG_HOTPLUG.search(ln)]
        if self.k0:
            lines = [re.sub(r"Total pages: \d+", "Total pages: (K0)", ln) for ln in lines]
        return lines

    # --- steps
    def pick_step(self, gblocks):
        r = self.r
        hot = [n for n in gblocks if n >= 4]  # boot RAM is memory0-3 on qemu-512m
        kinds = [("add", 3), ("del", 2 if self.devices else 0), ("state", 6 if hot else 0),
                 ("online", 2 if hot else 0), ("auto", 1), ("bogus-del", 0.2)]
        kind = r.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        if kind == "add":
            size = r.choice([128, 256, 256, 384, 512, 1024]) * MIB
            node = r.randrange(self.nodes) if self.nodes > 1 and r.random() < 0.7 else None
            slot = r.randrange(5) if r.random() < 0.15 else None
            dev_id = "d%d" % self.next_id
            if self.devices and r.random() < 0.08:
                dev_id = r.choice(sorted(self.devices))  # a taken id
            else:
                self.next_id += 1
            return ("add", dev_id, size, node, slot)
        if kind == "del":
            return ("del", r.choice(sorted(self.devices)))
        if kind == "bogus-del":
            return ("del", "nosuch%d" % r.randrange(10))
        if kind == "state":
            n = r.choice(hot)
            v = r.choices(["online", "online_kernel", "online_movable", "offline", "onlne"],
                          [3, 3, 4, 5, 0.3])[0]
            return ("write", n, "state", v)
        if kind == "online":
            return ("write", r.choice(hot), "online", r.choice(["1", "0"]))
        return ("auto", r.choices(["online", "online_kernel", "online_movable", "offline", "on"],
                                  [2, 1, 2, 3, 0.3])[0])

    def describe(self, st):
        if st[0] == "add":
            _, i, size, node, slot = st
            return "device_add pc-dimm id=%s size=%dM%s%s" % (
                i, size // MIB, "" if node is None else " node=%d" % node,
                "" if slot is None else " slot=%d" % slot)
        if st[0] == "del":
            return "device_del %s" % st[1]
        if st[0] == "write":
            return "echo %s > memory%d/%s" % (st[3], st[1], st[2])
        if st[0] == "hotmem":
            return "hotmem only: hotmemctl %s" % " ".join(st[1:])
        return "echo %s > auto_online_blocks" % st[1]

    def do(self, side, st):
        """one step on one side: what it answered (compared)"""
        if st[0] == "hotmem":  # a script's forcing: hotmemfs alone
            if side is self.hm:
                side.ctl(*st[1:])
            return {}
        if st[0] == "add":
            _, i, size, node, slot = st
            rep = side.device_add(i, size, node, slot)
            # the guest's _OST for the device ends its ACPI add
            ev = drain_events(side.q, 30 if side is self.guest else 5,
                              lambda e: e.get("event") == "ACPI_DEVICE_OST" and
                              e["data"]["info"].get("device") == i) if "return" in rep else \
                drain_events(side.q, 0.3)
            return {"qmp": rep, "events": ev}
        if st[0] == "del":
            rep = qmp_call(side.q, "device_del", {"id": st[1]})

            def done(e):
                if e.get("event") == "DEVICE_DELETED":
                    return True
                info = e.get("data", {}).get("info", {})
                return e.get("event") == "ACPI_DEVICE_OST" and info.get("status") not in (0, 0x84)
            ev = drain_events(side.q, 60 if side is self.guest else 10, done) \
                if "return" in rep else drain_events(side.q, 0.3)
            return {"qmp": rep, "events": ev}
        if st[0] == "write":
            path = "$M/memory%d/%s" % (st[1], st[2])
            val = st[3]
        else:
            path, val = "$M/auto_online_blocks", st[1]
        cmd = ("M=%s; echo %s > %s" % (side.memory(), val, path))
        out, rc = side.sh(cmd)
        out = out.replace(side.memory(), "$M")
        return {"rc": rc, "said": out.strip(), "errno": errno_name(out) if rc else None,
                "events": drain_events(side.q, 0.2)}

    def resync_kz(self, st, res, gb_before):
        """KZ: an offline of a kernel-zone block that went one way on one
        side: the side that offlined it goes back online, in the zone it
        was in.  True when both sides agree again."""
        if st[0] != "write" or st[3] not in ("offline", "0"):
            return False
        n = st[1]
        state, zones = gb_before.get(n, (None, None))
        if state != "online" or zones not in KERNEL_ZONES:
            return False
        g, h = res["6.12"], res["hotmem"]
        if {g["rc"] == 0, h["rc"] == 0} != {True, False}:
            return False
        failed = g if g["rc"] else h
        if failed["errno"] != "EBUSY":
            return False
        side = self.guest if g["rc"] == 0 else self.hm
        out, rc = side.sh("M=%s; echo online_kernel > $M/memory%d/state" % (side.memory(), n))
        return rc == 0

    def kz_eject(self, st, res, dm, before):
        """KZ for a device_del: one side ejected the DIMM (DEVICE_DELETED),
        the other refused it "device busy" (_OST 0x82, 6.12's
        acpi_scan_try_to_offline() -EBUSY) at a block that was online in
        a kernel zone before the step -- the block its "Offline failed."
        names, by that side's own facts @before.  (why, the refusing
        side, that block's number, its zone) -- or None when the eject
        went two ways for another reason (a difference)."""
        if st[0] != "del":
            return None
        ejected, refused = [], []
        for name in ("6.12", "hotmem"):
            ev = res[name]["events"]
            if any(e.get("event") == "DEVICE_DELETED" for e in ev):
                ejected.append(name)
            elif any(e.get("event") == "ACPI_DEVICE_OST" and
                     e.get("data", {}).get("info", {}).get("status") == 0x82 for e in ev):
                refused.append(name)
        if len(ejected) != 1 or len(refused) != 1:
            return None
        side = refused[0]
        failed = [int(m.group(1)) for m in
                  (re.match(r"memory memory(\d+): Offline failed\.$", ln) for ln in dm[side]) if m]
        if len(failed) != 1:
            return None
        state, zone = self.blocks(before[side]).get(failed[0], (None, None))
        if state != "online" or zone not in KERNEL_ZONES:
            return None
        return ("%s refused the eject: memory%d, online %s, would not go offline" % (
            side, failed[0], zone), side, failed[0], zone)

    def dimm_lost(self, before, after):
        """The DIMM an eject took, by the ejecting side's facts @before and
        @after the step: the block lines and the iomem (System RAM) lines
        it lost -- {number: block line before}, set of iomem lines."""
        now = set(after)
        blocks = {int(m.group(1)): ln for ln, m in
                  ((ln, re.match(r"block memory(\d+) ", ln)) for ln in before) if m}
        gone = {n for n, ln in blocks.items()
                if not any(a.startswith("block memory%d " % n) for a in now)}
        iomem = {ln for ln in before if ln.startswith("iomem ") and ln not in now}
        return {n: blocks[n] for n in gone}, iomem

    def kz_unexplained(self, res, snap, dm, kz, before):
        """What a KZ eject (kz_eject()'s @kz: the side that refused it,
        the block it refused at and that block's zone) does not explain,
        reread33 R6 and reread34 R3: KZ explains the eject's own
        consequences only, not every difference of its step.  Both sides'
        QMP reply is the same (device_del was taken by both); the events
        the same but the refusal's _OST 0x82 on the refusing side and the
        eject's DEVICE_DELETED and its _OST 0 (no device left) on the
        other; the refusing side's hotplug dmesg is its refusal alone --
        6.12's set_migratetype_isolate() "page dumped because: unmovable
        page" lines and acpi_scan_try_to_offline()'s one "memory memoryN:
        Offline failed." -- and zonelist rebuilds only when the DIMM has
        another block in another zone than the refused one (6.12's
        acpi_bus_offline() offlines the DIMM's other blocks too, on its
        first pass past the failure, and acpi_bus_online() puts them
        back: offline_pages() rebuilds the zonelists when a block's
        offline empties its zone, online_pages() when it populates one;
        the refused block keeps its own zone populated); the ejecting
        side's is zonelist rebuilds at most (6.12's offline_pages() logs
        nothing else when it empties a zone, nor does remove_memory()).
        The facts differ only where the DIMM was: the block lines of its
        blocks (those the ejecting side lost, @before its facts before
        the step), the zone lines of the zones they were in (the refused
        block's among them), MemTotal, and the iomem lines of its range
        (those the ejecting side lost); a boot block, another zone,
        auto_online_blocks or probe is no eject's.  The list of
        differences left, empty when KZ explains them all."""
        refused, failed, zone = kz[1], kz[2], kz[3]
        ejecting = "hotmem" if refused == "6.12" else "6.12"
        left = []
        g, h = res["6.12"], res["hotmem"]
        if g.get("qmp") != h.get("qmp"):
            left.append("qmp: 6.12 %s / hotmem %s (a device_del both took or refused alike)" % (
                json.dumps(g.get("qmp")), json.dumps(h.get("qmp"))))

        def info(e):
            return e.get("data", {}).get("info", {})
        ev = {refused: [e for e in res[refused]["events"]
                        if not (e.get("event") == "ACPI_DEVICE_OST" and info(e).get("status") == 0x82)],
              ejecting: [e for e in res[ejecting]["events"]
                         if e.get("event") != "DEVICE_DELETED" and
                         not (e.get("event") == "ACPI_DEVICE_OST" and info(e).get("status") == 0 and
                              "device" not in info(e))]}
        if ev["6.12"] != ev["hotmem"]:
            left.append("events but the eject's and the refusal's: 6.12 %s / hotmem %s" % (
                json.dumps(ev["6.12"]), json.dumps(ev["hotmem"])))
        lost, iomem = self.dimm_lost(before[ejecting], snap[ejecting][0])
        # the zones the DIMM's blocks were in, on either side before
        zones = {}
        for name in ("6.12", "hotmem"):
            for n, (state, z) in self.blocks(before[name]).items():
                if n in lost and state == "online":
                    zones.setdefault(n, set()).add(z)
        # ... where a block's node says which zone line is its
        zone_lines = set()
        for n, ln in lost.items():
            m = re.search(r" node=node(\d+)$", ln)
            for z in zones.get(n, ()):
                if m:
                    zone_lines.add("zone %s,%s " % (m.group(1), z))
        m = re.search(r" node=node(\d+)$", lost.get(failed, ""))
        if m:
            zone_lines.add("zone %s,%s " % (m.group(1), zone))
        others_elsewhere = any(z != zone for n, zs in zones.items() if n != failed for z in zs)
        refusal = [ln for ln in dm[refused]
                   if ln != "page dumped because: unmovable page" and
                   not re.match(r"memory memory\d+: Offline failed\.$", ln) and
                   not (others_elsewhere and ZONELIST_REBUILD.match(ln))]
        if refusal:
            left.append("dmesg %s (refused) but its refusal's lines%s: %s" % (
                refused, "" if others_elsewhere else " (a DIMM with no block in another zone: no rebuild)",
                json.dumps(refusal)))
        eject = [ln for ln in dm[ejecting] if not ZONELIST_REBUILD.match(ln)]
        if eject:
            left.append("dmesg %s (ejected) but zonelist rebuilds: %s" % (ejecting, json.dumps(eject)))

        def the_dimms(ln):
            m = re.match(r"block memory(\d+) ", ln)
            if m:
                return int(m.group(1)) in lost
            if ln.startswith("zone "):
                return any(ln.startswith(z) for z in zone_lines)
            if ln.startswith("meminfo "):
                return ln.startswith("meminfo MemTotal")
            return ln in iomem
        if failed not in lost:
            left.append("the ejecting side (%s) did not lose memory%d, the block refused" % (ejecting, failed))
        gl, hl = snap["6.12"][0], snap["hotmem"][0]
        other = [ln for ln in set(gl) ^ set(hl) if not the_dimms(ln)]
        if other:
            left.append("facts no eject changes (memory%s, %s, MemTotal, %s are the DIMM's): %s" % (
                ",".join(str(n) for n in sorted(lost)) or "none",
                " and ".join(sorted(z.strip() for z in zone_lines)) or "no zone",
                " and ".join(sorted(ln.split(" : ")[0] for ln in iomem)) or "no iomem",
                json.dumps(sorted(other))))
        return left

    def verdict(self, st, res, snap, dm, before, diffs):
        """A step's verdict on its differences @diffs (compare()): (good,
        lines, kz) -- good when none, or a KZ eject (kz_eject()) that
        explains them all (kz_unexplained()), kz then true; lines[0] what
        follows its TAP line's description, the rest its "#" lines: what
        KZ does not explain, then every difference."""
        kz = self.kz_eject(st, res, dm, before) if diffs else None
        left = self.kz_unexplained(res, snap, dm, kz, before) if kz else []
        if kz and not left:
            # an allowed difference, but the walk's end: said so
            return True, [" (KZ, allowed: %s; the walk ends here)" % kz[0]] + diffs, True
        if kz:
            return False, [" (KZ: %s, but not all of the step)" % kz[0]] + \
                ["KZ does not explain: " + d for d in left] + diffs, False
        return not diffs, [""] + diffs, False

    def compare(self, res, snap, dm):
        diffs = []
        g, h = res["6.12"], res["hotmem"]
        for k in sorted(set(g) | set(h)):
            if g.get(k) != h.get(k):
                diffs.append("%s: 6.12 %s / hotmem %s" % (k, json.dumps(g.get(k)), json.dumps(h.get(k))))
        gl, hl = snap["6.12"][0], snap["hotmem"][0]
        if gl != hl:
            for ln in gl:
                if ln not in hl:
                    diffs.append("6.12 only:   %s" % ln)
            for ln in hl:
                if ln not in gl:
                    diffs.append("hotmem only: %s" % ln)
            if not any(d.startswith(("6.12 only", "hotmem only")) for d in diffs):
                diffs.append("facts in another order")
        if dm["6.12"] != dm["hotmem"]:
            diffs.append("dmesg 6.12:   %s" % json.dumps(dm["6.12"]))
            diffs.append("dmesg hotmem: %s" % json.dumps(dm["hotmem"]))
        return diffs

    def note_devices(self, st, res):
        g = res["6.12"]
        if st[0] == "add" and "return" in g["qmp"]:
            self.devices[st[1]] = st[2]
        if st[0] == "del" and any(e.get("event") == "DEVICE_DELETED" for e in g["events"]):
            self.devices.pop(st[1], None)

    def run(self):
        a = self.a
        self.say("# config %s %s steps %d: 6.12 cmdline \"%s\"" %
                 (a.config, "script %s" % a.script if a.script else "seed %d" % a.seed,
                  a.steps, CONFIGS[a.config][2]))
        # the boot's log: the boot check's, not a step's
        boot = {side.name: side.dmesg() for side in (self.guest, self.hm)}
        snap = self.snapshot()
        self.base = {k: v[1] for k, v in snap.items()}
        snap = self.snapshot()
        bad = not self.boot_check(snap, boot)
        first = a.number_from  # the boot is TAP line number_from, step i first + i
        for i in range(1, a.steps + 1):
            before = {name: lines for name, (lines, _) in snap.items()}
            gb = self.blocks(before["6.12"])
            st = self.script.pop(0) if self.script is not None else self.pick_step(gb)
            t0 = time.monotonic()
            what = self.describe(st)
            res = {side.name: self.do(side, st) for side in (self.guest, self.hm)}
            note = ""
            if self.resync_kz(st, res, gb):
                note = " (KZ: one side offlined the kernel-zone block, put back online)"
                res["6.12"]["rc"] = res["hotmem"]["rc"] = "KZ"
                for k in ("said", "errno"):
                    res["6.12"][k] = res["hotmem"][k] = "KZ"
            self.note_devices(st, res)
            snap = self.snapshot()
            dm = {side.name: self.dmesg_lines(side) for side in (self.guest, self.hm)}
            if note:  # the offline's own log lines went one way on one side
                dm = {"6.12": [], "hotmem": []}
            diffs = self.compare(res, snap, dm)
            desc = "seed %d step %d: %s%s (%.0f s)" % (a.seed, i, what, note, time.monotonic() - t0)
            good, lines, kz = self.verdict(st, res, snap, dm, before, diffs)
            bad += not good
            self.say(("ok %d - %s" if good else "not ok %d - %s") % (first + i, desc) + lines[0])
            for d in lines[1:]:
                self.say("#   " + d)
            if diffs and st[0] == "del" and res["6.12"]["events"] != res["hotmem"]["events"]:
                # one side ejected the DIMM, the other refused: the
                # machines differ from here on; the walk cannot go on
                self.diverged = "step %d: %s went differently%s" % (
                    i, what, " (KZ, allowed)" if kz else "")
                for j in range(i + 1, a.steps + 1):
                    self.say("ok %d # SKIP the machines diverged at %s" % (first + j, self.diverged))
                break
        return bad

    def boot_reserve_lines(self, log):
        """a boot log's lines of its memblock reservations
        (BOOT_RESERVE_LINES), timestamps cut (T), the Memory: line's
        available count out (MA)"""
        lines = [DMESG_STAMP.sub("", ln).rstrip() for ln in log]
        return [re.sub(r"^Memory: \d+K/", "Memory: (MA)K/", ln) for ln in lines
                if BOOT_RESERVE_LINES.match(ln)]

    def boot_reserved_said(self, log):
        """What boot_reserved the guest measures by its boot @log: the
        calibrated number moved by the difference of the two "Memory:"
        lines' reserved totals -- hotmem's machine reserves the rest by its
        profile, derived --, and where it was measured: "#" lines."""
        res = {}
        for name in ("6.12", "hotmem"):
            m = [MEMORY_LINE.match(DMESG_STAMP.sub("", ln)) for ln in log[name]]
            m = [x for x in m if x]
            if not m:
                return ["boot_reserved: no \"Memory:\" line in %s's boot log (its ring wrapped?): "
                        "not measured" % name]
            res[name] = int(m[0].group(3))
        if res["6.12"] == res["hotmem"]:
            return []
        have, on = CALIBRATED["boot_reserved"]
        ver = bzimage_version(self.a.kernel) or os.path.basename(self.a.kernel)
        known = ver.split("+")[0] in on
        return ["boot_reserved: the guest, %s, reserved %dK at its \"Memory:\" line, hotmem %dK "
                "with boot_reserved %dK (measured on %s%s): this guest measures %dK -- where the "
                "kernel sections' sizes on that line agree, CALIBRATED[\"boot_reserved\"] in "
                "tests/kernel/diffwalk.py is to be %dK, with %s among its versions" % (
                    ver, res["6.12"], res["hotmem"], have >> 10, ", ".join(on),
                    "" if known else "; not on %s" % ver.split("+")[0],
                    (have >> 10) + res["6.12"] - res["hotmem"],
                    (have >> 10) + res["6.12"] - res["hotmem"], ver.split("+")[0])]

    def boot_check(self, snap, boot):
        """The booted machines compared, before any step, one TAP line: their
        facts, as after each step; and on qemu-512m's walks, whose profile
        takes the guest's boot reservations (the 2-node profile's ram lines
        drop them, K0: hotmem prints no "Memory:" line there), the log lines
        of those reservations from @boot, in order -- the "Memory:" line
        but its available count (MA), the "Freeing ... memory:" lines,
        RAMDISK and SWIOTLB.  Those say the derived kernel_image (its
        sections' sizes, what is freed of it) and the calibrated numbers
        (the reserved total, the unused decrypted bss) hold for this
        guest.  True when all agree."""
        diffs = self.compare({"6.12": {}, "hotmem": {}}, snap, {"6.12": [], "hotmem": []})
        what = "facts"
        if not self.k0:
            lines = {name: self.boot_reserve_lines(boot[name]) for name in boot}
            for name in ("6.12", "hotmem"):  # what was compared, in the walk's log
                self.hm.log.write("# boot check, %s's boot reservation lines:\n%s" % (
                    name, "".join("#   %s\n" % ln for ln in lines[name])))
            if lines["6.12"] != lines["hotmem"]:
                diffs.append("boot log 6.12:   %s" % json.dumps(lines["6.12"]))
                diffs.append("boot log hotmem: %s" % json.dumps(lines["hotmem"]))
            diffs += self.boot_reserved_said(boot)
            what += ", boot reservations' log lines (Memory: but MA, Freeing, RAMDISK, SWIOTLB)"
        else:
            what += " (K0: this profile takes no boot reservations; their log not compared)"
        self.say(("ok %d - %s" if not diffs else "not ok %d - %s") % (
            self.a.number_from, "config %s: the booted machines agree: %s" % (self.a.config, what)))
        for d in diffs:
            self.say("#   " + d)
        return not diffs

    def say(self, line):
        print(line, file=self.out, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kernel")
    ap.add_argument("initrd", nargs="?")
    ap.add_argument("--calibration", action="store_true",
                    help="say where the walk profile's numbers come from, for KERNEL, and exit")
    ap.add_argument("--config", default="offline", choices=sorted(CONFIGS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--timeout", type=float, default=900, help="the whole walk's, QEMU killed after")
    ap.add_argument("--boot-timeout", type=float, default=240)
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("--tap", action="store_true", help="print the plan first")
    ap.add_argument("--script", metavar="FILE.json",
                    help="replay these steps (a JSON list, see above), --steps their number")
    ap.add_argument("--hotmem-cmdline", default="", metavar="WORDS",
                    help="more command line words for hotmemfs alone (a script's forcing)")
    ap.add_argument("--number-from", type=int, default=1,
                    help="the TAP number of the boot check, the steps' after it (a .t running several walks)")
    ap.add_argument("--hotmem", default=os.environ.get("HOTMEM_BUILD", os.path.join(HERE, "../../build")),
                    help="the build directory of hotmemfs and hotmemctl")
    a = ap.parse_args()
    if a.calibration:
        try:
            print("\n".join(say_calibration(a.kernel)), flush=True)
        except (Broken, OSError) as e:
            print("# the walk profile cannot be made: %s" % e, flush=True)
            return 2
        return 0
    if not a.initrd:
        ap.error("INITRD is needed but with --calibration")
    qemu_args, profile, cmdline = CONFIGS[a.config]
    try:
        profile = profile or qemu_512m_walk_profile(a.initrd, a.kernel)
    except (Broken, OSError) as e:
        print("# the walk could not run: the walk profile: %s" % e, flush=True)
        return 2
    script = None
    if a.script:
        with open(a.script) as f:
            script = json.load(f)
        a.steps = len(script)
    if a.tap:  # the boot check, then the steps
        print("1..%d" % (a.steps + 1), flush=True)
    with open(a.log, "w") as log:
        try:
            with GuestSide(a.kernel, a.initrd, qemu_args, cmdline, log, a.timeout) as g, \
                    HotmemSide(a.hotmem, profile, " ".join(filter(None, (cmdline, a.hotmem_cmdline))),
                               log) as h:
                h.start(60)
                g.start(a.boot_timeout)
                w = Walk(a, g, h, sys.stdout)
                w.script = script
                bad = w.run()
        except (Broken, TimeoutError, EOFError, OSError) as e:
            print("# the walk could not run: %s" % e, flush=True)
            return 2
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
