/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotmem engine: the public API of libhotmem.a.
 *
 * The engine is an in-process model of the kernel's SPARSEMEM + memory
 * hotplug core (mm/sparse.c, mm/sparse-vmemmap.c, mm/memory_hotplug.c,
 * drivers/base/memory.c).  It knows nothing of FUSE, systemd or BPF: the
 * filesystem, the daemon and the tracer sit on top of this header.
 *
 * "seed 00N" in comments names the kernel mailing-list thread a behaviour
 * follows; docs/design-notes.md summarises each.
 *
 * Conventions: functions return 0 or a negative errno, exactly as the
 * kernel function they model would; a failed operation leaves the machine
 * as it was.  Sizes are bytes, pfns are 4 KiB page frame numbers.
 *
 * Locking: every entry point is thread-safe.  Hotplug operations serialise
 * on the engine's device_hotplug_lock like the kernel's; readers
 * (hotmem_block_info() and friends) never wait for a running operation, so
 * a reader sees "going-offline" while an offline is in progress.
 *
 * Callbacks (hotmem_subscribe()) run synchronously in the thread that
 * performs the operation, with engine locks held: they must not call back
 * into the engine.
 */
#ifndef HOTMEM_H
#define HOTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* x86_64 numbers (docs/design-notes.md) */
#define HM_PAGE_SHIFT		12
#define HM_PAGE_SIZE		(1UL << HM_PAGE_SHIFT)
#define HM_SECTION_SIZE_BITS	27
#define HM_PAGES_PER_SECTION	(1UL << (HM_SECTION_SIZE_BITS - HM_PAGE_SHIFT))
#define HM_SUBSECTION_SHIFT	21
#define HM_PAGES_PER_SUBSECTION	(1UL << (HM_SUBSECTION_SHIFT - HM_PAGE_SHIFT))
#define HM_SUBSECTIONS_PER_SECTION (HM_PAGES_PER_SECTION / HM_PAGES_PER_SUBSECTION)
#define HM_PAGEBLOCK_ORDER	9
#define HM_PAGEBLOCK_NR_PAGES	(1UL << HM_PAGEBLOCK_ORDER)
#define HM_MAX_PAGE_ORDER	10
#define HM_STRUCT_PAGE_SIZE	64
#define HM_MAX_NUMNODES		64
#define HM_MIN_BLOCK_SIZE	(128ULL << 20)
#define HM_MAX_BLOCK_SIZE	(2ULL << 30)
/*
 * x86's COMMAND_LINE_SIZE (6.12 arch/x86/include/asm/setup.h): a command
 * line of 2047 bytes and its NUL; hotmem refuses a longer one, which a
 * real boot cuts (hotmem_config_parse_cmdline())
 */
#define HM_COMMAND_LINE_SIZE	2048

/* include/linux/mmzone.h zone order on x86_64 with ZONE_DEVICE */
enum hm_zone_type {
	HM_ZONE_DMA,
	HM_ZONE_DMA32,
	HM_ZONE_NORMAL,
	HM_ZONE_MOVABLE,
	HM_ZONE_DEVICE,
	HM_MAX_NR_ZONES
};

/* include/linux/memory_hotplug.h MMOP_* */
enum hm_online_type {
	HM_MMOP_OFFLINE,
	HM_MMOP_ONLINE,
	HM_MMOP_ONLINE_KERNEL,
	HM_MMOP_ONLINE_MOVABLE,
};

/* include/linux/memory.h: memory_block->state */
enum hm_block_state {
	HM_MEM_ONLINE = 1 << 0,
	HM_MEM_GOING_OFFLINE = 1 << 1,
	HM_MEM_OFFLINE = 1 << 2,
	HM_MEM_GOING_ONLINE = 1 << 3,
	HM_MEM_CANCEL_ONLINE = 1 << 4,
	HM_MEM_CANCEL_OFFLINE = 1 << 5,
	HM_MEM_PREPARE_ONLINE = 1 << 6,
	HM_MEM_FINISH_OFFLINE = 1 << 7,
};

enum hm_online_policy {
	HM_ONLINE_POLICY_CONTIG_ZONES,
	HM_ONLINE_POLICY_AUTO_MOVABLE,
};

/* memory_hotplug.memmap_on_memory= : N, Y, force */
enum hm_memmap_on_memory {
	HM_MEMMAP_ON_MEMORY_DISABLE,
	HM_MEMMAP_ON_MEMORY_ENABLE,
	HM_MEMMAP_ON_MEMORY_FORCE,
};

/*
 * The kernel's own allocations (engine/kmem.c): slab, page tables, kernel
 * stacks, per-cpu pagesets, at boot, when a zone or node gets its first
 * memory and a little between operations.  "off" is an idle kernel that
 * never allocates; "default" is calibrated to a Debian 6.1 QEMU guest
 * with -m 512M; "heavy" allocates several times as much.
 */
enum hm_kernel_alloc {
	HM_KERNEL_ALLOC_OFF,
	HM_KERNEL_ALLOC_DEFAULT,
	HM_KERNEL_ALLOC_HEAVY,
};

/* add_memory() flags, include/linux/memory_hotplug.h */
#define HM_MHP_NONE		0
#define HM_MHP_MERGE_RESOURCE	(1U << 0)
#define HM_MHP_MEMMAP_ON_MEMORY	(1U << 1)
#define HM_MHP_NID_IS_MGID	(1U << 2)

/* ------------------------------------------------------------------ */
/* The machine                                                          */
/* ------------------------------------------------------------------ */

#define HM_MAX_BOOT_RANGES 32

struct hm_boot_range {
	uint64_t start, end;	/* [start, end) physical bytes */
	int nid;
};

/* a profile's e820 lines: E820_MAX_ENTRIES_ZEROPAGE's 128 halved, more than a PC's firmware gives */
#define HM_MAX_E820 64

/*
 * The e820 types a profile's table takes besides usable and reserved
 * (6.12 arch/x86/include/asm/e820/types.h): 0 is E820_TYPE_RAM or
 * E820_TYPE_RESERVED as hm_e820_entry.ram says
 */
enum hm_e820_type {
	HM_E820_PLAIN = 0,
	HM_E820_ACPI,		/* E820_TYPE_ACPI: "ACPI data", "ACPI Tables" */
	HM_E820_NVS,		/* E820_TYPE_NVS: "ACPI NVS", "ACPI Non-volatile Storage" */
	HM_E820_UNUSABLE,	/* E820_TYPE_UNUSABLE: "unusable", "Unusable memory" */
};

/* one entry of the firmware's e820 table (x86 BIOS-e820) */
struct hm_e820_entry {
	uint64_t start, end;	/* [start, end) physical bytes, not page-aligned */
	bool ram;		/* E820_TYPE_RAM ("usable"), else not RAM: type says which */
	unsigned char type;	/* enum hm_e820_type; HM_E820_PLAIN with ram: E820_TYPE_RAM */
};

/*
 * A machine as found, not only as booted (hotmem profile --from-sysfs):
 * memory hot-added after boot (add_memory(), offline), then block states
 * set in order, as writes to memoryN/state would.
 */
#define HM_MAX_PROFILE_STATES 64
struct hm_block_run {
	unsigned long first, last;	/* memory block ids, inclusive */
	int online_type;		/* an MMOP_*: MMOP_OFFLINE offlines */
};

/* QEMU's ACPI_MAX_RAM_SLOTS: the most DIMM slots its ACPI tables describe */
#define HM_ACPI_MAX_RAM_SLOTS 256

/*
 * A virtio-mem device of the machine as found (profile key "virtio_mem"):
 * QEMU's -device virtio-mem-pci,id=ID,memaddr=ADDR,node=N,requested-size=R,
 * block-size=B with a memory backend of @size.  At boot its driver probes
 * and plugs toward @requested_size, as the kernel's does at probe.
 */
#define HM_MAX_PROFILE_VIRTIO_MEM 16
struct hm_virtio_mem_config {
	char id[64];			/* QEMU's id: hotmemctl names the device so */
	uint64_t addr;			/* memaddr: the region's start */
	uint64_t size;			/* the region (the memory backend's size) */
	uint64_t requested_size;
	uint64_t block_size;		/* the device block size */
	int nid;
};

/* an inclusive physical range [start, end], as /proc/iomem prints it; end 0: none */
struct hm_phys_range {
	uint64_t start, end;
};

/*
 * The boot reservations of docs/profile.md's kernel_image ... boot_reserved
 * keys, brk among them.  The kernel image's parts are its vmlinux.lds.S
 * sections where the boot loader (KASLR) put them: code [_text, _etext),
 * rodata [__start_rodata, __end_rodata), data [_sdata, _edata), init
 * [__init_begin, __init_end), bss [__bss_start, __bss_stop); smp_locks
 * (.smp_locks, freed by alternative_instructions() on SMP) and
 * bss_decrypted_unused (the unused part of .bss..decrypted, freed by
 * mem_encrypt_free_decrypted_mem()).
 */
struct hm_boot_reserve {
	bool kernel_image;
	struct hm_phys_range code, rodata, data, init, bss, smp_locks, bss_decrypted_unused;
	struct hm_phys_range initrd;	/* early_reserve_initrd(), freed by populate_rootfs */
	/*
	 * reserve_brk(): the brk the boot used, bytes, at PFN_ALIGN(__bss_stop)
	 * (__brk_base, right after __end_of_kernel_reserve), never given back;
	 * 0 none.  Needs kernel_image.
	 */
	uint64_t brk;
	bool realmode;			/* reserve_real_mode(): the first MiB */
	uint64_t swiotlb;		/* swiotlb_init_remap()'s buffer, bytes; 0 none */
	uint64_t boot_reserved;		/* the rest of the boot's memblock allocations, bytes */
};

struct hotmem_config {
	char name[64];			/* profile name, for status output */
	/*
	 * the built-in this machine started from (hotmem_config_builtin():
	 * a profile file's `profile =`, else the one the caller filled in
	 * first; "" when none): what a profile file's settings are over
	 */
	char base[32];
	uint64_t block_size;		/* memory_block_size_bytes() */
	unsigned int max_physmem_bits;	/* 46 or 52 */
	uint64_t maxmem;		/* highest hot-pluggable address + 1 */
	/*
	 * QEMU's -m maxmem= (MachineState.maxram_size) of a device_memory =
	 * qemu machine: its devices' total is this minus boot RAM, its
	 * device-memory region that plus 1 GiB a slot
	 * (hotmem_config_device_memory()).  0: not said; the region is then
	 * from its base to maxmem, the total maxmem - base - RAM (profiles
	 * from before 2026-12-03).
	 */
	uint64_t qemu_maxmem;
	int nr_possible_nodes;
	int nr_boot_ranges;
	struct hm_boot_range boot[HM_MAX_BOOT_RANGES];
	/*
	 * The firmware's e820 table, where the profile knows it (the QEMU
	 * machines' BIOS-e820 lines, a profile's e820 lines): what
	 * /sys/firmware/memmap and the boot part of /proc/iomem show.  Its
	 * RAM, as the boot makes memblock of it (page 0 and the BIOS area out,
	 * whole pages), is the boot ranges' (validate() refuses it otherwise).
	 * 0 entries: made from the boot ranges, the holes below 1 MiB
	 * reserved.  A profile file's ram lines without e820 lines drop a
	 * built-in's.
	 */
	int nr_e820;
	struct hm_e820_entry e820[HM_MAX_E820];
	/*
	 * The boot's memblock reservations as x86 6.12's setup_arch() takes
	 * them (docs/profile.md: kernel_image, initrd, realmode, swiotlb,
	 * boot_reserved): none unless the profile says so (boot_reserve).
	 */
	struct hm_boot_reserve boot_reserve;
	int nr_hotplug;			/* profile "hotplug =": added after boot */
	struct hm_boot_range hotplug[HM_MAX_BOOT_RANGES];
	int nr_block_states;		/* profile "online =", "offline =" */
	struct hm_block_run block_state[HM_MAX_PROFILE_STATES];
	bool arch_memory_probe;		/* CONFIG_ARCH_MEMORY_PROBE: sysfs probe */
	bool memory_failure;		/* CONFIG_MEMORY_FAILURE: soft/hard_offline_page */
	bool crash_hotplug;		/* CONFIG_CRASH_HOTPLUG: memory/crash_hotplug */
	/*
	 * CONFIG_PM_ADVANCED_DEBUG: every device's power/ has async,
	 * runtime_active_kids, runtime_enabled and runtime_usage too
	 * (drivers/base/power/sysfs.c, 6.12)
	 */
	bool pm_advanced_debug;
	/*
	 * QEMU's -m slots=N (MachineState.ram_slots): the DIMM slots, each an
	 * ACPI memory device (PNP0C80) in the firmware's tables whether a DIMM
	 * sits in it or not; "hotplug" ranges take the first ones.
	 */
	unsigned int ram_slots;
	/*
	 * Where hotmemfs's device_add puts memory devices: false, from the
	 * end of boot RAM; true, QEMU pc/q35's device-memory region
	 * (hw/i386/pc.c pc_get_device_memory_range()): from
	 * ROUND_UP(4 GiB + RAM above 4 GiB, 1 GiB), the 32-bit PCI hole below.
	 */
	bool device_memory_qemu;
	unsigned int init_threads;	/* at memmap init at once, a batch's prefetcher too (seed 004) */
	/* test knob: the memmap of this section fails to populate at boot */
	bool debug_fail_memmap;
	unsigned long debug_fail_memmap_section;

	/* kernel command line, by the kernel's names */
	int memhp_default_online_type;	/* memhp_default_state= */
	bool movable_node;		/* movable_node */
	/*
	 * kernelcore=, movablecore= (6.12 mm/mm_init.c cmdline_parse_core()):
	 * pages, or a percentage of all boot pages (a percentage wins, as
	 * find_zone_movable_pfns_for_nodes() reads it first); 0: not given
	 */
	unsigned long required_kernelcore, required_kernelcore_percent;
	unsigned long required_movablecore, required_movablecore_percent;
	int memmap_on_memory;		/* memory_hotplug.memmap_on_memory= */
	int online_policy;		/* memory_hotplug.online_policy= */
	unsigned int auto_movable_ratio;	/* memory_hotplug.auto_movable_ratio= */
	bool auto_movable_numa_aware;	/* memory_hotplug.auto_movable_numa_aware= */
	bool hugetlb_free_vmemmap;	/* hugetlb_free_vmemmap= */
	/*
	 * hugepages= (6.12 hugepages_setup()) for the one hstate hotmem
	 * models, 2 MiB (hugepagesz=, default_hugepagesz= name no other):
	 * the pages hugetlb_init() pre-allocates at boot, spread over the
	 * nodes with memory; hugepages=N:M,... a node's (the guest's node
	 * ids), hugepages the sum.  hugetlb_parsed: which of those words
	 * came so far (config.c's), for the kernel's order rules.
	 */
	unsigned long hugepages;
	unsigned long hugepages_node[HM_MAX_NUMNODES];
	unsigned int hugetlb_parsed;
	bool virtio_mem_unplug_online;	/* virtio_mem.unplug_online= */
	bool virtio_mem_force_bbm;	/* virtio_mem.force_bbm=: Big Block Mode always */
	uint64_t virtio_mem_bbm_block_size;	/* virtio_mem.bbm_block_size=: any (a probe ignores a non-power of 2) */
	int kernel_alloc;		/* enum hm_kernel_alloc: hotmem.kernel_alloc= */
	unsigned long kernel_alloc_seed;	/* hotmem.kernel_alloc_seed=: replays exactly */
	unsigned long host_max_map_count;	/* hotmem.max_map_count=: below the host's */
	/* hotmem.host_reserve=: host memory an online that writes a memmap leaves free */
	uint64_t host_reserve;
	bool host_reserve_given;		/* else the default (physmem.c host_reserve()) */
	char cmdline[HM_COMMAND_LINE_SIZE];	/* every part as given, in order, for /proc/cmdline */
	/*
	 * the line is a state file's, which a hotmem before 2026-12-04 booted:
	 * too many words for init (hotmem_config_init_words_panic()) boot as
	 * saved rather than panic -- a restart never loses a machine (zones44)
	 */
	bool init_words_saved;
	/* profile "virtio_mem =": probed after the hotplug ranges are added */
	int nr_virtio_mem;
	struct hm_virtio_mem_config virtio_mem[HM_MAX_PROFILE_VIRTIO_MEM];
	/*
	 * profile "distance = SRC DST VAL": the firmware's SLIT (QEMU's -numa
	 * dist); 0 where no line gave it (the other direction's, or 10 to
	 * itself, then stands).  No line at all: no SLIT.
	 */
	bool slit;
	unsigned char node_distance[HM_MAX_NUMNODES][HM_MAX_NUMNODES];
	/*
	 * The nodes the present CPUs sit on (cpu_to_node(), the firmware's
	 * SRAT; QEMU's -numa node,cpus=): bit N, node N.  Profile
	 * "cpu_nodes = LIST"; hotmemfs places the host's CPUs (on those, or
	 * on the boot nodes) before the machine boots and gives the nodes
	 * that got one here, so that the engine (try_offline_node()'s
	 * check_cpu_on_node()) and the view (nodeN/cpulist, has_cpu) decide
	 * alike.  0: every node with memory at boot.  Each a possible node;
	 * one without boot memory is a memoryless node with CPUs, online
	 * from boot (x86's init_cpu_to_node()), N_MEMORY once memory hot-added
	 * to it is onlined, kept when that memory goes (try_offline_node()).
	 */
	uint64_t cpu_nodes;
	/*
	 * The online CPUs hotmemfs placed (num_online_cpus()) and how many
	 * sit on each node (cpumask_weight(cpumask_of_node())), fixed from
	 * boot: what zone_highsize() splits a zone's pcp high over and
	 * calculate_normal_threshold() scales the vm stats drift by.  0
	 * (no placement: the engine alone): one CPU.
	 */
	int nr_online_cpus;
	unsigned short node_online_cpus[HM_MAX_NUMNODES];
};

/* The embedded default machine: no file needed. */
void hotmem_config_default(struct hotmem_config *cfg);
/* Built-in profiles: "default", "qemu-512m", "host-24g", "numa2"... */
int hotmem_config_builtin(struct hotmem_config *cfg, const char *name);
/*
 * The machine's device-memory region [*@base, *@end), where device_add
 * places memory devices, and *@addable, what all of them together may
 * take (QEMU's memory_device_check_addable()); the region ends at maxmem
 * and MAX_PHYSMEM_BITS at the latest.
 */
void hotmem_config_device_memory(const struct hotmem_config *cfg, uint64_t *base, uint64_t *end,
				 uint64_t *addable);
const char *const *hotmem_config_builtin_names(void);
/*
 * The built-ins, "NAME  DESCRIPTION\n" a line (the names in a column,
 * what --list-profiles prints), each after @indent, given to @line in
 * order with @arg: the caller writes them where it will
 */
void hotmem_config_list_builtins(const char *indent, void (*line)(const char *text, void *arg),
				 void *arg);
/*
 * 6.12 isspace() (include/linux/ctype.h on lib/ctype.c's _ctype[]), which
 * the kernel's command line parser ends words with: '\t' to '\r', ' ' and
 * 0xa0 -- the kernel's table, whatever the C library's locale says.
 */
bool hotmem_cmdline_isspace(unsigned char c);
/*
 * The next parameter of a kernel command line at *@p, as 6.12
 * lib/cmdline.c next_arg() gives it to parse_args(): the word copied into
 * @tok, *@param its name and *@val its value (NULL without '='), both in
 * @tok, split at the word's first '=' and with next_arg()'s quotes
 * dropped (a quote opening the word or the value, with the word's last
 * byte if a quote; none other).  1; 0 at the end or at a bare "--"
 * (parse_args() stops there: the rest is init's, kernel/params.c);
 * -E2BIG for a word of @len bytes or more.  *@p is past the word in
 * every case, so that a caller may go on to the next.
 */
int hotmem_cmdline_next_arg(const char **p, char *tok, size_t len, char **param, char **val);
/*
 * hotmem_cmdline_next_arg()'s word into @tok as param=val again, as init
 * gets it (init/main.c repair_env_string()): for a reader of a guest's
 * /proc/cmdline (hotmem profile --from-sysfs).
 */
int hotmem_cmdline_next(const char **p, char *tok, size_t len);
/*
 * Parse a kernel command line into @cfg.  Unknown parameters are ignored
 * as the kernel ignores them; a known parameter with a bad value is an
 * error (-EINVAL) with @err naming it.
 */
int hotmem_config_parse_cmdline(struct hotmem_config *cfg, const char *cmdline,
				char *err, size_t errlen);
/*
 * The words of @cfg's command line a 6.12 kernel would list as "Unknown
 * kernel command line parameters" (the machine's boot log says them), and
 * the names of those hotmem does not model at all, known to a kernel or
 * not (the front ends warn of them: they change nothing here).  Each
 * space-separated into @buf; the length written.
 */
size_t hotmem_config_unknown_bootoptions(const struct hotmem_config *cfg, char *buf, size_t len);
/*
 * -EINVAL and 6.12's panic in @err ("Kernel panic - not syncing: Too many
 * boot init|env vars at `WORD'") when @cfg's line gives init more than 32
 * arguments or 31 environment words: hotmem_create() refuses such a line
 * unless cfg->init_words_saved.  0: it boots.
 */
int hotmem_config_init_words_panic(const struct hotmem_config *cfg, char *err, size_t errlen);
size_t hotmem_config_unmodelled(const struct hotmem_config *cfg, char *buf, size_t len);
/* the same of @cmdline alone: the words of one --cmdline among the profile's */
size_t hotmem_cmdline_unmodelled(const char *cmdline, char *buf, size_t len);
/*
 * The /proc/sys/vm file command-line word @param (its name, before '=')
 * sets at the boot's end, as 6.12's process_sysctl_arg() walks its path
 * (sysctl.vm.nr_hugepages, sysctl/vm//nr_hugepages, sysctl.vm..x all
 * name one: separators '.' or '/', a run of them one) into @name ("x");
 * false for any other word, a directory or a file in a subdirectory.
 */
bool hotmem_sysctl_vm_name(const char *param, char *name, size_t len);
/*
 * hotmem.host_reserve='s check off while @suspend: a state file's restore
 * brings back the machine acknowledged before a crash, whose memmaps the
 * host held then -- refused for the host's memory now, it would not come
 * back at all (review14 R13b).
 */
struct hotmem;
void hotmem_host_reserve_suspend(struct hotmem *hm, bool suspend);
/* Load a profile file ("key = value" lines, see docs/profile.md). */
int hotmem_config_load(struct hotmem_config *cfg, const char *path,
		       char *err, size_t errlen);
/*
 * A profile as the front ends take it: a built-in name ("qemu-512m"),
 * else a file ("./my.profile"); -ENOENT when it is neither, with one
 * message for every front end in @err.
 */
int hotmem_config_profile(struct hotmem_config *cfg, const char *name,
			  char *err, size_t errlen);
int hotmem_config_parse_text(struct hotmem_config *cfg, const char *text,
			     char *err, size_t errlen);
/* Check consistency (sizes, alignment, ranges); -EINVAL with a message. */
int hotmem_config_validate(const struct hotmem_config *cfg, char *err,
			   size_t errlen);
/*
 * The machine @cfg describes as profile lines ("key = value\n"), one
 * canonical text: the same for two profiles that boot the same machine
 * whatever their comments, order, spelling (1G or 0x40000000) or base
 * built-in, in docs/profile.md's key order, each command-line parameter
 * on a "cmdline" line of its own.  Left out: name (what status output
 * calls the machine) and init_threads (how fast it boots).  Into @buf,
 * cut at @len (may be NULL, 0); the length the whole text needs, as
 * snprintf() counts it.
 */
size_t hotmem_config_describe(const struct hotmem_config *cfg, char *buf, size_t len);
/* the same, malloc()ed whole (free() it); NULL: out of memory */
char *hotmem_config_describe_alloc(const struct hotmem_config *cfg);
/* A node list, "0", "0-1", "0,2-3" (sysfs's node/online): bit N for node N; -EINVAL */
int hotmem_nodelist_parse(const char *s, uint64_t *nodes);
/* @nodes as such a list into @buf (4 * HM_MAX_NUMNODES bytes hold any) */
void hotmem_nodelist_format(uint64_t nodes, char *buf, size_t len);
/* Parse "128M", "2G", "0x8000000", "4096" (kernel memparse()). */
int hotmem_memparse(const char *s, uint64_t *out);

/*
 * A profile's node numbers are QEMU's -numa node,nodeid= (ACPI proximity
 * domains, PXMs); the guest's node ids are given in SRAT order, the
 * CPUs' PXMs first, then the boot memory's by address (x86 6.12
 * acpi_numa_init(), QEMU's build_srat(); engine/srat.c).  @node[pxm],
 * @pxm[nid]: -1 for none.
 */
struct hm_pxm_map {
	int node[HM_MAX_NUMNODES];
	int pxm[HM_MAX_NUMNODES];
};
/* the map of a valid @cfg (its cpu_nodes as hotmemfs placed the CPUs) */
void hotmem_srat_map(const struct hotmem_config *cfg, struct hm_pxm_map *m);
/* @pxm's node id, @nid's PXM: a number without a mapping is its own */
int hotmem_srat_pxm_to_node(const struct hm_pxm_map *m, int pxm);
int hotmem_srat_node_to_pxm(const struct hm_pxm_map *m, int nid);

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */
/* ------------------------------------------------------------------ */

struct hotmem;

/*
 * Boot the machine: sparse_init(), memmap init, free boot memory.  The
 * machine is the creating process's: a child forked from it must not
 * touch its memory or struct pages (a self-hosted memmap's holes are
 * filled by a thread of the creator; the child would read zeros, and put
 * them into the memory the creator shares with it).
 */
int hotmem_create(const struct hotmem_config *cfg, struct hotmem **out,
		  char *err, size_t errlen);
void hotmem_destroy(struct hotmem *hm);
/* the machine in the guest's node ids (the profile's PXMs renumbered: hotmem_srat_map()) */
const struct hotmem_config *hotmem_get_config(const struct hotmem *hm);
/* QEMU's node (a PXM: device_add node=, query-memory-devices) to the guest's node id, and back */
int hotmem_pxm_to_node(const struct hotmem *hm, int pxm);
int hotmem_node_to_pxm(const struct hotmem *hm, int nid);
/*
 * The pfn node @nid's boot ZONE_MOVABLE starts at (kernelcore=,
 * movablecore=: 6.12's zone_movable_pfn[]), fixed at boot; 0 for none
 */
unsigned long hotmem_zone_movable_pfn(const struct hotmem *hm, int nid);

/* ------------------------------------------------------------------ */
/* Events: uevents, log lines, trace steps                             */
/* ------------------------------------------------------------------ */

enum hm_event_type {
	HM_EV_UEVENT,	/* a kobject uevent: action + devpath */
	HM_EV_LOG,	/* a kernel log line (pr_info/pr_warn/pr_err) */
	HM_EV_TRACE,	/* a step of the hotplug path (same as the USDT) */
};
/*
 * register_memory_blocks_under_node_hotplug(): the blocks of [start_pfn,
 * start_pfn + nr_pages) are linked under node nid now (memoryN/nodeK,
 * nodeK/memoryN), after their ADDs (6.12 add_memory_resource()).  A type
 * kept out of the enum: a subscriber's switch over the three above needs
 * no case for it, and one that does not know it ignores it.
 */
#define HM_EV_LINK ((enum hm_event_type)3)

enum hm_uevent_action {
	HM_KOBJ_ADD,
	HM_KOBJ_REMOVE,
	HM_KOBJ_CHANGE,
	HM_KOBJ_MOVE,
	HM_KOBJ_ONLINE,
	HM_KOBJ_OFFLINE,
};

struct hm_event {
	enum hm_event_type type;
	/* HM_EV_UEVENT */
	enum hm_uevent_action action;
	unsigned long block_id;		/* memoryN; HM_NO_BLOCK for a node's */
	const char *devpath;		/* "/devices/system/memory/memoryN", ".../node/nodeN" */
	/* HM_EV_LOG */
	int level;			/* syslog level: 3 err, 4 warn, 6 info */
	const char *msg;
	/* HM_EV_TRACE: the USDT probe's name and its arguments (HM_EV_LINK: start_pfn, nr_pages, nid) */
	const char *fn;
	bool exit;			/* false: entry; true: return */
	uint64_t start_pfn, nr_pages;
	int nid, zid;			/* -1 when not applicable */
	long extra;			/* e.g. memory_notify action */
	int ret;			/* on exit */
};

/* a node device's uevent (nid >= 0) is about no memory block */
#define HM_NO_BLOCK (~0UL)

typedef void (*hotmem_event_cb)(const struct hm_event *ev, void *arg);
/*
 * One subscriber slot per kind of consumer; returns a slot id >= 0.  A
 * new subscriber gets every event, HM_EV_TRACE included.
 */
int hotmem_subscribe(struct hotmem *hm, hotmem_event_cb cb, void *arg);
/*
 * Whether subscriber @slot is called for HM_EV_TRACE (@want) from now on.
 * While no subscriber wants them, a step of the hotplug path costs its
 * USDT semaphore tests alone; while one does, every step takes the event
 * lock to call it.  A subscriber that follows traces only sometimes says
 * so each time.  Takes no lock (a callback may call it); -EINVAL for a
 * slot not subscribed.
 */
int hotmem_subscribe_trace(struct hotmem *hm, int slot, bool want);
void hotmem_unsubscribe(struct hotmem *hm, int slot);
const char *hotmem_uevent_action_name(enum hm_uevent_action a);
/*
 * The engine's kernel log (boot messages included), "<level>msg\n" lines:
 * the newest whole lines that fit @len with the NUL, as 6.12's syslog
 * read gives whole records (a line is never cut at the start).
 */
size_t hotmem_dmesg(struct hotmem *hm, char *buf, size_t len);
/*
 * The log as the boot left it (hotmem_create()'s end), kept whole however
 * much has been logged since: what `journalctl -k -b` still shows of a
 * boot whose lines the ring lost.  A short @buf: its newest whole lines.
 */
size_t hotmem_boot_dmesg(struct hotmem *hm, char *buf, size_t len);
/*
 * Why a write to a device's uevent file failed, as kobject_synth_uevent()
 * tells it (lib/kobject_uevent.c, 6.12 to 6.18): the action word, its
 * arguments, or the sending
 */
enum hm_synth_uevent_error {
	HM_SYNTH_UEVENT_ACTION,		/* "unknown uevent action string" */
	HM_SYNTH_UEVENT_ARGS,		/* "incorrect uevent action arguments" */
	HM_SYNTH_UEVENT_SEND,		/* "failed to send uevent" */
};
/*
 * kobject_synth_uevent()'s pr_warn() for a refused write to @devpath's
 * uevent file (the kobject's path, "/devices/system/memory/memory1"):
 * "synth uevent: DEVPATH: WHY" in the log, the only word a udev user
 * gets about a bad `udevadm trigger --action=` besides the EINVAL.  A
 * device's file (@dev_bus not NULL: its bus or class, "" for neither)
 * then logs 6.12 uevent_store()'s dev_err() of the write's @err, "memory
 * memory1: uevent: failed to send synthetic uevent: -22"; a bus's
 * (bus_uevent_store(), @dev_bus NULL) logs nothing more.
 */
void hotmem_synth_uevent_failed(struct hotmem *hm, const char *devpath,
				enum hm_synth_uevent_error why, const char *dev_bus, int err);

/* ------------------------------------------------------------------ */
/* Hardware: add and remove physical memory                            */
/* ------------------------------------------------------------------ */

/*
 * add_memory(): hot-add [start, start + size) on node @nid.  @mhp_flags
 * HM_MHP_MEMMAP_ON_MEMORY asks for a self-hosted memmap where
 * mhp_supports_memmap_on_memory() allows.  @group is a memory group id
 * from hotmem_register_{static,dynamic}_memory_group() or -1.  New blocks
 * come up offline or are onlined per memhp_default_state / auto_online_blocks.
 * Errors: -EINVAL (alignment, node), -EEXIST (overlap), -E2BIG (beyond
 * MAX_PHYSMEM_BITS/maxmem), -ENOMEM (no memory for the memmap).
 */
int hotmem_add_memory(struct hotmem *hm, int nid, uint64_t start, uint64_t size,
		      unsigned int mhp_flags, int group);
/*
 * The same for @task (struct hotmem_task, below; NULL: this thread):
 * current, whose comm the add's messages print -- the kernel's add runs
 * in its caller's task: an ACPI hot-add in the kacpi_hotplug kworker,
 * a `probe` write in its writer
 */
struct hotmem_task;
int hotmem_add_memory_task(struct hotmem *hm, int nid, uint64_t start, uint64_t size,
			   unsigned int mhp_flags, int group, const struct hotmem_task *task);
/*
 * remove_memory(): any block-aligned part of added memory whose blocks are
 * all offline; -EBUSY when one is online (checked first, as the kernel's),
 * -EINVAL when the range is not block-aligned inside one added range.
 */
int hotmem_remove_memory(struct hotmem *hm, uint64_t start, uint64_t size);
/*
 * offline_and_remove_memory(): offline every block then remove, or put
 * the blocks offlined here back online in their old zone.  With a task,
 * its signal ends an offline that loops (-EINTR).
 */
struct hotmem_task;
int hotmem_offline_and_remove_memory(struct hotmem *hm, uint64_t start,
				     uint64_t size);
int hotmem_offline_and_remove_memory_task(struct hotmem *hm, uint64_t start, uint64_t size,
					  const struct hotmem_task *task);
/*
 * What an ACPI eject did to one memory block of the DIMM: its zone before
 * the eject and, when a refused eject's rollback onlined it again
 * (MMOP_ONLINE: the zone policy decides afresh; or the type a refused
 * state write left, @online_type), the zone it is in now.
 * A zone is an enum hm_zone_type, -1 for none (offline, or spanning zones).
 */
struct hm_eject_block {
	unsigned long id;
	int zone_before;
	bool onlined_again;
	int zone_after;
	/*
	 * the MMOP_* the rollback onlined it with: MMOP_ONLINE, or the type
	 * a refused state write left in it (6.12's state_store() sets
	 * mem->online_type before device_online(), which keeps it when the
	 * block is online already; memory_subsys_online() defaults only
	 * MMOP_OFFLINE to MMOP_ONLINE)
	 */
	int online_type;
};
/*
 * The ACPI eject of a DIMM (device_del): each block offlined, a second
 * try when one refuses; if one still refuses, "Offline failed.", what
 * was offlined is onlined again with the default online type and nothing
 * is removed: -EBUSY.  @report: NULL, or one entry a memory block of the
 * range, filled whatever the result once the range is block-aligned
 * (onlined_again only where a rollback onlined it).  hotmem_acpi_ost_status()
 * is the _OST status the guest reports for a result (QEMU's
 * ACPI_DEVICE_OST event).
 */
int hotmem_acpi_eject_memory(struct hotmem *hm, uint64_t start, uint64_t size,
			     const struct hotmem_task *task, struct hm_eject_block *report);
/*
 * The guest's ACPI memory driver refused DIMM @acpi_dev ("PNP0C80:00"):
 * add_memory() failed with @err; logs what 6.12 logs (nothing for -EEXIST,
 * which it does not take as a failure).
 */
void hotmem_acpi_memory_enable_failed(struct hotmem *hm, const char *acpi_dev, int err);
/* include/acpi/actypes.h, include/linux/acpi.h (6.12) */
#define HM_ACPI_NOTIFY_DEVICE_CHECK		0x1
#define HM_ACPI_NOTIFY_EJECT_REQUEST		0x3
#define HM_ACPI_OST_EC_OSPM_EJECT		0x103
#define HM_ACPI_OST_SC_SUCCESS			0x0
#define HM_ACPI_OST_SC_NON_SPECIFIC_FAILURE	0x1
#define HM_ACPI_OST_SC_EJECT_NOT_SUPPORTED	0x80
#define HM_ACPI_OST_SC_DEVICE_BUSY		0x82
#define HM_ACPI_OST_SC_EJECT_IN_PROGRESS	0x84
int hotmem_acpi_ost_status(int err);
/*
 * Find a free, block-aligned physical range of @size at or above @min
 * for a new DIMM (what firmware would assign). -ENOSPC if none.
 */
int hotmem_find_free_range(struct hotmem *hm, uint64_t size, uint64_t min,
			   uint64_t *start);
/*
 * The same for any @size in whole pages at @align (a power of two, a page
 * or more): the lowest such start at or above @min whose range meets no
 * memory resource (boot RAM's blocks, hot-added memory, a virtio-mem
 * device's region).  Not in whole memory blocks: add_memory() refuses
 * such a range, as 6.12's check_hotplug_memory_range() does, but a
 * firmware (QEMU's 2 MiB for a pc-dimm) may place it there.
 */
int hotmem_find_free_range_aligned(struct hotmem *hm, uint64_t size, uint64_t min,
				   uint64_t align, uint64_t *start);

/* memory groups (virtio-mem / dax kmem), mm/memory_hotplug.c */
int hotmem_register_static_memory_group(struct hotmem *hm, int nid,
					unsigned long max_pages);
int hotmem_register_dynamic_memory_group(struct hotmem *hm, int nid,
					 unsigned long unit_pages);
int hotmem_unregister_memory_group(struct hotmem *hm, int group);

/*
 * /proc/iomem's RAM view: the boot map (firmware's "Reserved" below 1 MiB,
 * "System RAM"), each hot-added range ("System RAM"; a virtio-mem
 * device's region "virtioN" with its "System RAM (virtio_mem)" children,
 * merged as MHP_MERGE_RESOURCE merges them), in address order.  Fills up
 * to @max entries and returns how many there are -- when they do not
 * fit, a number above @max that may count more than there are (the
 * entries past @max are counted before their merge, having nowhere to
 * merge into): a second call with that many slots fills them all and
 * returns the exact count.  A caller grows its array while the answer
 * is above @max (fusefs attrs.c show_iomem(), machine.c snap_list()).
 */
struct hm_iomem_entry {
	uint64_t start, end;	/* inclusive, as /proc/iomem prints */
	int depth;		/* 0: top level; 1: a child */
	char name[32];
};
size_t hotmem_iomem(struct hotmem *hm, struct hm_iomem_entry *ents, size_t max);

/*
 * /sys/firmware/memmap/N: the firmware's map as booted, then each
 * hot-added "System RAM" (firmware_map_add_hotplug(): DIMMs, probe; never
 * driver-managed memory), numbered as they came.  Fills up to @max entries
 * in order and returns how many there are.
 */
struct hm_fwmap_entry {
	unsigned int index;	/* N */
	uint64_t start, end;	/* inclusive, as the files show */
	char type[32];
};
size_t hotmem_firmware_map(struct hotmem *hm, struct hm_fwmap_entry *ents, size_t max);

/*
 * A count that moves whenever hotmem_iomem()'s or hotmem_firmware_map()'s
 * answer may have (memory added or removed, a virtio-mem device's region
 * come or gone) and at no other change: onlines and offlines leave it.  A
 * front end that keeps a copy of both takes it again only when it moved.
 * Needs no lock.
 */
uint64_t hotmem_maps_gen(struct hotmem *hm);

/* ------------------------------------------------------------------ */
/* virtio-mem: the guest's driver (drivers/virtio/virtio_mem.c)         */
/* ------------------------------------------------------------------ */

/*
 * One virtio-mem device as the guest's driver sees it: a region
 * [addr, addr + region_size) on node @nid, plugged and unplugged in
 * device blocks of @device_block_size toward a requested size.  The
 * driver works in Sub Block Mode (sub-blocks of max(device block,
 * pageblock) inside memory blocks) when that is below the memory block
 * size, else in Big Block Mode; it registers a dynamic memory group and
 * adds memory driver-managed ("System RAM (virtio_mem)", memmap from
 * system RAM).  Errors: -EINVAL (alignment, sizes, node), -EBUSY (the
 * region meets memory, or another device's region it does not lie
 * wholly inside: virtio_mem_create_resource()), -ENOMEM.  A region
 * inside another device's nests under it, as 6.12's does (QEMU never
 * places one so: hotmemfs refuses it).  A region holding no whole memory block (big block, BBM) is
 * probed with 6.12's warnings ("bad device setup - warn only"): its
 * plugs stop at once (last_err -ENOSPC), as 6.12's do.
 */
struct hotmem_virtio_mem;
int hotmem_virtio_mem_probe(struct hotmem *hm, int nid, uint64_t addr, uint64_t region_size,
			    uint64_t device_block_size, struct hotmem_virtio_mem **out);
/*
 * The same with the device's index (virtioN in /proc/iomem and the log)
 * @index, which a restart keeps (the kernel's virtio_index_ida would
 * have); -1: the lowest free, as hotmem_virtio_mem_probe().  -EEXIST,
 * nothing changed: another device has @index.
 */
int hotmem_virtio_mem_probe_index(struct hotmem *hm, int nid, uint64_t addr,
				  uint64_t region_size, uint64_t device_block_size, int index,
				  struct hotmem_virtio_mem **out);
/*
 * Remove the device: -EBUSY, nothing changed, while memory is plugged
 * (QEMU refuses the unplug of such a device too) or still added to Linux
 * (fully unplugged blocks the driver's next run removes), memory probed
 * into its region is there, or another device's region nests in its
 * own (remove that one first); else it is gone.
 */
int hotmem_virtio_mem_remove(struct hotmem_virtio_mem *vm);
/*
 * The host changed requested-size (QEMU's qom-set): -EINVAL, nothing
 * changed, unless @size is a multiple of the device block size within the
 * region.  Accepted, the driver's work runs once (virtio_mem_run_wq())
 * with @task's signal as the unplug's deadline and gets as far as it can,
 * as the guest works toward the request on its own: plugged-size
 * (hotmem_virtio_mem_info()) is what it reached; why it stopped short is
 * there too (last_err: busy memory, a refused add, the device BUSY,
 * -ENOSPC with offline_blocked; busy_pfn; broken), in the log only where
 * 6.12 logs it (a refused add's "adding memory failed", an unknown error
 * marking the device broken).
 */
int hotmem_virtio_mem_set_requested_size(struct hotmem_virtio_mem *vm, uint64_t size,
					 const struct hotmem_task *task);
/* the device's config changed (requested-size) without the work running yet */
int hotmem_virtio_mem_update_config(struct hotmem_virtio_mem *vm, uint64_t size);
/*
 * The host set requested-size @size while the guest's driver cannot work
 * yet (an offline that loops holds device_hotplug_lock): the driver's
 * work reads the config at once, as 6.12's virtio_mem_run_wq() ->
 * virtio_mem_refresh_config() does before it blocks, logging "plugged
 * size" and "requested size".  Nothing changes: the caller gives @size
 * later with hotmem_virtio_mem_update_config_read(), whose run says no
 * sizes again (or with _update_config() after another change, which the
 * run reads and says).  -EBUSY, nothing logged: the driver's run is under
 * way (it reads the change at its next check) or the device is broken.
 * Takes no device_hotplug_lock.
 */
int hotmem_virtio_mem_config_read_early(struct hotmem_virtio_mem *vm, uint64_t size);
/* hotmem_virtio_mem_update_config() of a config the driver read early: its run says no sizes */
int hotmem_virtio_mem_update_config_read(struct hotmem_virtio_mem *vm, uint64_t size);
/*
 * The run the probe queued reads the device's config (sizes in the log,
 * once) without working toward it: a restored device whose state file
 * puts no block back and runs no driver work.  Nothing when said already.
 */
void hotmem_virtio_mem_config_read(struct hotmem_virtio_mem *vm);
/*
 * The driver's work runs again (its retry timer fired, its notifier
 * queued it), as far as it gets, as above.  Returns how the run ended, as
 * 6.12's virtio_mem_run_wq() switches on it for its retry timer: 0 (done:
 * the timer back to its 50 s minimum), -EBUSY, -ENOMEM or -ETXTBSY (the
 * timer armed: memory that would not go, none to migrate to, a refused
 * add; also a fully unplugged block not removed yet; the device answered
 * BUSY), -ENOSPC (no retry: the region is full or too much added memory
 * is offline), another -errno: an error the driver does not know (the
 * device answered ERROR: -EINVAL), which marked the device broken
 * (hm_virtio_mem_info.broken); a run of a broken device does nothing and
 * returns -EIO.  -EAGAIN: @task's config_changed() said the host's config
 * changed during the run, which stopped at 6.12's next check (above);
 * nothing armed: the caller gives the new config and runs it again.
 */
int hotmem_virtio_mem_retry(struct hotmem_virtio_mem *vm, const struct hotmem_task *task);
/*
 * The work its memory notifier queued (hm_virtio_mem_info.work_pending)
 * dropped without running: for a caller that put the machine back as it
 * was saved (a restore, an undo), whose onlines queued work the saved
 * machine never had.
 */
void hotmem_virtio_mem_forget_work(struct hotmem_virtio_mem *vm);

struct hm_virtio_mem_info {
	uint64_t addr, region_size, device_block_size;
	/*
	 * hotmem_virtio_mem_inject_response()'s armed answers, [1] plugs'
	 * ([0] unplugs'): HM_VIRTIO_MEM_RESP_* for the next inject_count
	 * requests (0: none armed)
	 */
	int inject_resp[2];
	unsigned int inject_count[2];
	uint64_t plugged_size, requested_size;
	/*
	 * The memory the driver has added (its memory blocks, SBM; its big
	 * blocks, BBM), partly unplugged or not: a run of its work that
	 * removed a block left over fully unplugged
	 * (virtio_mem_cleanup_pending_mb()) changed this alone.
	 */
	uint64_t added_size;
	int nid, group;
	int index;			/* virtioN (/proc/iomem, the log) */
	bool sbm;			/* Sub Block Mode, else Big Block Mode */
	uint64_t sb_size;		/* SBM: sub-block; BBM: big block */
	uint64_t offline_threshold, offline_size;
	unsigned long first_mb_id, last_usable_mb_id;	/* SBM: memory blocks it may use */
	/*
	 * The driver queued its work (virtio_mem_retry(): its memory notifier
	 * on MEM_ONLINE below half its offline_threshold, on MEM_OFFLINE with
	 * virtio_mem.unplug_online=0), which the kernel runs right after: the
	 * caller runs it, hotmem_virtio_mem_retry(), once the hotplug
	 * operation that queued it has returned.
	 */
	bool work_pending;
	/*
	 * The driver's last run stopped its unplug here: the first pfn
	 * alloc_contig_range() could not take (pages that would not move,
	 * or no memory to move them to); ~0UL when it did not stop short.
	 * The kernel logs nothing then (6.12 retries on its timer).
	 */
	unsigned long busy_pfn;
	/*
	 * Why it stopped there (0 when it did not): -EBUSY, pages that would
	 * not move; -ENOMEM, alloc_contig_range() found no free memory to
	 * migrate them into (6.12 virtio_mem_fake_offline(): "whoops, out of
	 * memory")
	 */
	int busy_err;
	/*
	 * The device's answer that refused an unplug request of the last
	 * pass (HM_VIRTIO_MEM_RESP_NACK, whose -ENOMEM the driver cannot tell
	 * from a busy_err -ENOMEM; _BUSY, _ERROR), 0 when none did: nothing
	 * in the guest is busy then
	 */
	int unplug_refused;
	/*
	 * How the driver's last run ended, as hotmem_virtio_mem_retry()
	 * returned it (0 before the first): why its retry timer is armed
	 * (-EBUSY, -ENOMEM, -ETXTBSY); the kernel logs nothing then.
	 */
	int last_err;
	/*
	 * last_err -ENOSPC, a plug stopped short: true when too much of the
	 * memory the driver added is offline (offline_size near
	 * offline_threshold: it adds again once blocks come online), false
	 * when the usable region has no room (6.12 logs neither)
	 */
	bool offline_blocked;
	/*
	 * 6.12's vm->broken: a run ended in an error the driver does not
	 * know (@broken_err; dmesg: "virtio_mem virtioN: unknown error,
	 * marking device broken: -22"), and the driver handles no request
	 * or config change any more.  Only a new driver clears it (the
	 * kernel's unbind and bind, a reboot; hotmem: the device probed
	 * anew, as a restart of hotmemfs does).
	 */
	bool broken;
	int broken_err;
};
int hotmem_virtio_mem_info(struct hotmem_virtio_mem *vm, struct hm_virtio_mem_info *info);
/*
 * The next run of plugged device blocks at or after *@first: 0 with
 * [*first, *first + *count), or -ENOENT.  Walks only the memory blocks
 * the driver has prepared, however large the region.
 */
int hotmem_virtio_mem_next_plugged(struct hotmem_virtio_mem *vm, uint64_t *first,
				   uint64_t *count);
/* Is device block @idx (from addr) plugged? */
bool hotmem_virtio_mem_block_plugged(struct hotmem_virtio_mem *vm, uint64_t idx);
/*
 * Restore plugged device blocks [first, first + count) exactly (a saved
 * machine): they must cover whole sub-blocks (big blocks), inside the
 * usable memory blocks.  The memory is added as the driver's plug path
 * adds it.  -EINVAL (not whole units, outside the usable blocks), -EEXIST
 * (some already plugged), -ENOMEM: nothing changed.
 */
int hotmem_virtio_mem_restore_plugged(struct hotmem_virtio_mem *vm, uint64_t first,
				      uint64_t count);
/*
 * Restore memory block @mb_id as the driver leaves one whose sub-blocks
 * it unplugged all of but whose removal was refused (a saved machine):
 * added, offline, nothing plugged (fake-offline once onlined), removed
 * by the driver's next run (virtio_mem_cleanup_pending_mb()).  Sub Block
 * Mode only.  -EINVAL (BBM, outside the usable blocks), -EEXIST (the
 * driver has it), -ENOMEM and the like: nothing changed.
 */
int hotmem_virtio_mem_restore_leftover(struct hotmem_virtio_mem *vm, unsigned long mb_id);
/*
 * Unplug device blocks [first, first + count) exactly (an undo of what
 * the driver plugged): all plugged, whole sub-blocks (big blocks).  The
 * driver's unplug path does it: online memory is fake-offlined first, a
 * memory block left with nothing plugged is offlined and removed.
 * -EINVAL (not whole units), -ENOENT (some not plugged): nothing changed;
 * -EBUSY and the like (online memory that will not go), -ENOMEM (the
 * host refuses a memory block's removal): what was unplugged is plugged
 * back, that block's sub-blocks too.  -ENOTRECOVERABLE: a step was
 * refused and so was plugging some of what went before back (the host
 * refused its memory block's add again, even with the host mappings kept
 * for undo): those device blocks stay unplugged and their memory blocks
 * removed, the device and the machine agreeing, and the log names them.
 * The caller must take the device's plugged blocks as they now are
 * (hotmem_virtio_mem_block_plugged()), not as they were: the kernel's
 * driver, which never plugs back, would leave such a device below its
 * requested size for its retry (hotmem_virtio_mem_retry()) to plug.
 */
int hotmem_virtio_mem_unplug_exact(struct hotmem_virtio_mem *vm, uint64_t first, uint64_t count);
/*
 * The device whose region starts at @addr (one a profile's "virtio_mem"
 * line made at boot, say), or NULL.  Of regions nested in each other at
 * one start (hotmem_virtio_mem_probe() of a region inside another
 * device's, as 6.12 nests it), the innermost: an outer one is reached by
 * the handle its probe gave.
 */
struct hotmem_virtio_mem *hotmem_virtio_mem_at(struct hotmem *hm, uint64_t addr);

/* ------------------------------------------------------------------ */
/* Memory blocks: what drivers/base/memory.c shows in sysfs            */
/* ------------------------------------------------------------------ */

/*
 * Why offline_pages() failed: its "failed due to" reasons (mm/memory_hotplug.c,
 * 6.12), one a cause, so that a front end explains one (a memory notifier's
 * refusal: nothing in the way) without matching the log's prose
 */
enum hm_offline_cause {
	HM_OFFLINE_CAUSE_NONE,		/* it did not fail, or never ran */
	HM_OFFLINE_CAUSE_MEMMAP,	/* a memmap the host left unmapped, or gave no memory for a hole of (ENOMEM; hotmem's own) */
	HM_OFFLINE_CAUSE_HOLES,		/* memory holes (EINVAL) */
	HM_OFFLINE_CAUSE_MULTIZONE,	/* multizone range (EINVAL) */
	HM_OFFLINE_CAUSE_ISOLATE,	/* failure to isolate range (EBUSY) */
	HM_OFFLINE_CAUSE_NOTIFIER,	/* notifier failure: a MEM_GOING_OFFLINE callback refused it */
	HM_OFFLINE_CAUSE_SIGNAL,	/* signal backoff (EINTR) */
	HM_OFFLINE_CAUSE_UNMOVABLE,	/* unmovable page */
	HM_OFFLINE_CAUSE_DISSOLVE,	/* failure to dissolve huge pages */
};
/* the kernel's "failed due to %s" words of @cause ("notifier failure"); NULL for NONE */
const char *hotmem_offline_cause_name(enum hm_offline_cause cause);

struct hm_block_info {
	unsigned long id;		/* memoryN */
	uint64_t start;			/* physical start */
	int state;			/* HM_MEM_ONLINE / GOING_OFFLINE / OFFLINE */
	int nid;			/* a boot block on several nodes: the last (6.12) */
	/*
	 * bit N: the block is linked under nodeN (nodeN/memoryM, memoryM/nodeN);
	 * a hot-added block's only once its hot-add sent every ADD (HM_EV_LINK)
	 */
	uint64_t nodes;
	int zone;			/* zone when online or going offline, else -1 */
	int group;			/* memory group or -1 */
	unsigned long nr_vmemmap_pages;	/* self-hosted memmap pages */
	bool removable;
	bool boot;			/* early (boot) memory */
	/*
	 * its hwpoisoned pages (memblk_nr_poison()): an offline block with
	 * any cannot come online (EHWPOISON) until it is removed
	 */
	unsigned long nr_hwpoison;
	/* why its last offline failed (offline_pages()'s "failed due to"); NONE: it did not */
	enum hm_offline_cause offline_cause;
	/*
	 * what it was onlined as (HM_MMOP_ONLINE: `online`, the default
	 * zone's rule; _KERNEL, _MOVABLE), HM_MMOP_OFFLINE when offline, and
	 * for a boot block never onlined since (boot onlines no block through
	 * a state write): what a front end saves for
	 * hotmem_block_restore_online()
	 */
	int online_type;
};

/* Block size in bytes (block_size_bytes). */
uint64_t hotmem_block_size(const struct hotmem *hm);
int hotmem_block_info(struct hotmem *hm, unsigned long id,
		      struct hm_block_info *info);
/*
 * Iterate present blocks in ascending id order: pass *id = 0 and
 * first = true; returns 0 and sets *id, or -ENOENT at the end.
 */
int hotmem_block_next(struct hotmem *hm, unsigned long *id, bool first);
unsigned long hotmem_nr_blocks(struct hotmem *hm);
/* valid_zones_show(): "Normal Movable\n" etc., returns length. */
int hotmem_block_valid_zones(struct hotmem *hm, unsigned long id, char *buf,
			     size_t len);
/* state_store(): online_type per mhp_online_type_from_str(). */
int hotmem_block_set_state(struct hotmem *hm, unsigned long id, int online_type);
/*
 * A saved block's online put back: as @online_type (its hm_block_info's
 * when saved) if that puts it in zone @zid again, so that it reads as
 * saved (explain's zone rule); else into @zid by online_movable or
 * online_kernel.  hotmem_block_set_state()'s errors; -EINVAL for a bad
 * type or zone, and for a @zid neither puts it in (ZONE_DEVICE, DMA32
 * above 4 GiB), nothing changed (checked before the kernel's allocations
 * move, as an operation moves them).
 */
int hotmem_block_restore_online(struct hotmem *hm, unsigned long id, int online_type, int zid);
/* online_store(): device_online()/device_offline(); same state is 0. */
int hotmem_block_set_online(struct hotmem *hm, unsigned long id, bool online);
/*
 * The task an operation runs for: the kernel's `current`.  Offlining keeps
 * migrating until its range is free and only a pending signal ends it
 * (offline_pages(): -EINTR, "signal backoff"); @signal_pending is asked
 * between passes — hotmemfs answers it from the FUSE request's interrupt.
 * A NULL task is never signalled: such an offline may run forever, as a
 * kernel's would.
 *
 * @offline_begin (may be NULL) is called by each offline_pages() of the
 * operation as it starts trying its range: device_hotplug_lock and
 * mem_hotplug_lock held, the range isolated, MEM_GOING_OFFLINE sent.
 * That is where 4.14's __offline_pages() started its 120 s timeout
 * (expire = jiffies + timeout, removed in 4.15; 6.12 has none), so a
 * caller that bounds each block's offline counts from there, not from
 * its waits for the locks nor from the work before that offline.
 */
struct hotmem_task {
	bool (*signal_pending)(void *arg);
	void *arg;
	void (*offline_begin)(void *arg);
	/*
	 * @comm (may be NULL) writes the task's name (current->comm, at most
	 * 15 characters) into @buf: asked only for a message that prints it
	 * (the page allocator's warn_alloc()).  NULL, or nothing written: the
	 * name of the thread the engine runs on.
	 */
	void (*comm)(void *arg, char *buf, size_t len);
	/*
	 * @config_changed (may be NULL), for a virtio-mem driver's run alone:
	 * true once the host changed the device's config (requested-size)
	 * since the run began -- 6.12's atomic vm->config_changed, which
	 * virtio_mem_config_changed() sets from the config interrupt without
	 * any lock the work holds.  The new value is the caller's to give
	 * (hotmem_virtio_mem_update_config() waits for device_hotplug_lock,
	 * which the run holds), so at 6.12's next check of the flag -- before
	 * each alloc_contig_range() try of virtio_mem_fake_offline(), before
	 * each plug or unplug request -- the run stops and returns -EAGAIN,
	 * where the kernel's goes back to its "retry:" and reads the config:
	 * the caller gives the driver the new requested-size and runs the work
	 * again.
	 */
	bool (*config_changed)(void *arg);
	/*
	 * @fatal_signal_pending (may be NULL): 6.12's fatal_signal_pending(current),
	 * for a caller's own wait that the kernel restarts at any other
	 * signal (lock_device_hotplug_sysfs()'s restart_syscall()).  The
	 * engine never asks it: offline_pages() stops at any signal.
	 */
	bool (*fatal_signal_pending)(void *arg);
	/*
	 * @size_changed (may be NULL), for a virtio-mem driver's run alone:
	 * the device acknowledged a plug or unplug request of the run, its
	 * plugged size now @plugged_size.  That is where QEMU notifies
	 * (virtio_mem_state_change_request() -> MEMORY_DEVICE_SIZE_CHANGE,
	 * hw/virtio/virtio-mem.c), once a request, not once a run; what the
	 * caller makes of it is its own (the engine knows no QMP).  Called
	 * with device_hotplug_lock held: it must not call into the engine.
	 */
	void (*size_changed)(void *arg, uint64_t plugged_size);
};
int hotmem_block_set_state_task(struct hotmem *hm, unsigned long id, int online_type,
				const struct hotmem_task *task);
int hotmem_block_set_online_task(struct hotmem *hm, unsigned long id, bool online,
				 const struct hotmem_task *task);
/* Online/offline several blocks; stops at the first failure, -errno. */
int hotmem_online_blocks(struct hotmem *hm, unsigned long first,
			 unsigned long nr, int online_type);

/* The kernel's strings: "offline", "online", "online_kernel", "online_movable" */
const char *hotmem_online_type_name(int online_type);
/* mhp_online_type_from_str() with sysfs_streq(): -EINVAL if none. */
int hotmem_online_type_from_str(const char *buf, size_t len);
const char *hotmem_state_name(int state);	/* "online", "going-offline"... */
const char *hotmem_zone_name(int zid);		/* "DMA", "Normal", "Movable"... */
int hotmem_zone_from_name(const char *name);

/*
 * Why a block's offline fails, beyond what the kernel says: every page in
 * use that stops it (pfn, order, page type and flags, who allocated it —
 * a kernel allocation site, the workload, a pin, memory failure, the
 * memmap, a boot reservation) and which zone rule put the block in its
 * zone.  Read without waiting for a running operation (a racy snapshot,
 * like the kernel's page_owner), so it answers while an offline loops.
 *
 * An entry is one allocation: 2^order pages from its head pfn.  A call
 * counts every entry of the block, sums them up by owner (owners[]: a
 * row a kind, a row a kernel allocation site) and lists at most
 * HM_EXPLAIN_MAX of them, from @from_pfn on: the next call's from_pfn
 * is next_pfn, so that a block of any size is listed whole in bounded
 * memory, one page of entries at a time.
 */
#define HM_EXPLAIN_MAX 64
#define HM_EXPLAIN_OWNERS 16
struct hm_page_owner {
	uint64_t pfn;		/* the allocation's first (head) pfn */
	unsigned int order;
	unsigned long flags;	/* the flags word as a 6.12 x86_64 kernel's (dump_page()'s) */
	const char *kind;	/* kernel, workload, pinned, movable, memmap, memblock,
				 * hwpoison, unknown */
	char type[16];		/* page_type: "table", "slab" or "" */
	char owner[128];	/* allocation site or owner */
	bool blocks;		/* stops this block's offline */
};
struct hm_explain_owner {
	const char *kind;	/* as hm_page_owner's */
	char site[128];		/* a kernel allocation site; "" for the other kinds */
	unsigned long pages, entries;
	bool blocks;		/* its pages stop the offline */
};
struct hm_explain {
	unsigned long id;
	int state, nid, zone;		/* zone: -1 when offline or spanning zones */
	char zone_rule[192];
	/*
	 * offline (nothing stops its online), ehwpoison (an offline block
	 * with poisoned pages: online refused), ok, ebusy, eintr-loop,
	 * eintr-no-free (its movable pages have nowhere to migrate to),
	 * notifier (an injected MEM_GOING_OFFLINE error refuses it), einval,
	 * enomem (a memmap the host left unmapped, or the free huge pages'
	 * vmemmap restore finds no kernel memory)
	 */
	const char *verdict;
	char reason[256];
	unsigned long nr_blocking_pages, nr_movable_pages, nr_hwpoison;
	/*
	 * The free pages the movable pages can migrate into: outside the
	 * block, in the zones and nodes alloc_migration_target() may use,
	 * above the min watermark as the engine's allocator checks it
	 */
	unsigned long nr_free_target;
	/* notifier-error-inject's armed errors: MEM_GOING_OFFLINE, MEM_GOING_ONLINE (0: none) */
	int notifier_error_offline, notifier_error_online;
	/* an offline block's poisoned pages: the first few pfns (nr_hwpoison of them in all) */
	unsigned long nr_hwpoison_pfns;
	uint64_t hwpoison_pfns[4];
	/* virtio-mem's unplugged pages: its driver gives them up on offline */
	unsigned long nr_fake_offline_pages;
	/*
	 * The HugeTLB pool's huge pages in the block (all free: nothing maps
	 * them), which offline_pages() dissolves (dissolve_free_hugetlb_folios():
	 * the pool shrinks by them), and the pool's size when explained
	 */
	unsigned long nr_hugetlb_free, hugetlb_pool_pages;
	/*
	 * Their vmemmap restore (HVO-optimised ones, 6.12
	 * alloc_vmemmap_page_list(): GFP_KERNEL|__GFP_RETRY_MAYFAIL, a page a
	 * shared tail vmemmap page) needs nr_hvo_restore_pages of kernel
	 * memory, of the nr_kernel_free GFP_KERNEL may take above the
	 * watermarks once the migration has taken its share: fewer, and the
	 * offline fails with ENOMEM after the nr_hugetlb_dissolved that fit
	 * (verdict enomem)
	 */
	unsigned long nr_hvo_restore_pages, nr_kernel_free, nr_hugetlb_dissolved;
	unsigned long nr_entries;	/* entries in the whole block */
	unsigned long nr_entry_pages;	/* the pages they cover */
	unsigned long nr_owners;
	struct hm_explain_owner owners[HM_EXPLAIN_OWNERS];
	uint64_t from_pfn;		/* the listing starts at the first entry from here */
	unsigned long nr_before;	/* entries below from_pfn: not listed */
	unsigned long nr_shown;		/* pages[0..nr_shown) */
	unsigned long nr_after, nr_after_pages;	/* entries past pages[], their pages */
	uint64_t next_pfn;		/* the first of those (nr_after > 0) */
	/*
	 * A listing in pages must be told from one the block changed under:
	 * digest is the sum (mod 2^64) of every entry's digest (its pfn,
	 * order, type, kind, owner and whether it blocks: what a row shows),
	 * shown_digest that of pages[] alone.  A reader that pages through
	 * the block adds up each page's shown_digest: the sum and the count
	 * equal to the first page's digest and nr_entries, the entries it
	 * listed are those the first page summed up.
	 */
	uint64_t digest, shown_digest;
	/* the pfns this call's walk looked at: a page's walk is bounded (tests count it) */
	unsigned long nr_walked;
	/* hotmem_explain_page(): the listing alone, the head and the totals not read */
	bool page_only;
	struct hm_page_owner pages[HM_EXPLAIN_MAX];
};
int hotmem_explain(struct hotmem *hm, unsigned long id, struct hm_explain *ex);
/* the same, listing from the first entry at or above @from_pfn */
int hotmem_explain_from(struct hotmem *hm, unsigned long id, uint64_t from_pfn,
			struct hm_explain *ex);
/*
 * One page of the listing alone: the entries from the first at or above
 * @from_pfn, at most HM_EXPLAIN_MAX, and next_pfn (nr_after 1: there are
 * more; their number is not counted).  The walk starts near @from_pfn and
 * ends at the entry after the page, so that a reader paging through a
 * block (explain --all) walks it once in all, not once a page; the head,
 * the owners and the totals are not read (the first page's full
 * explanation gives them), nr_before is 0.
 */
int hotmem_explain_page(struct hotmem *hm, unsigned long id, uint64_t from_pfn,
			struct hm_explain *ex);
/* Text for a person, or one JSON object (@json); returns the length. */
int hotmem_explain_format(const struct hm_explain *ex, bool json, char *buf, size_t len);
/*
 * The text in parts, for a reader that pages (hotmemctl explain --all):
 * the head (the block, its zone rule, the verdict, the owners), the
 * listed entries (their column names only with the head), and the line
 * saying how many more there are, @more_hint after it (NULL: none).
 */
#define HM_EXPLAIN_TEXT_HEAD	1u
#define HM_EXPLAIN_TEXT_ROWS	2u
#define HM_EXPLAIN_TEXT_MORE	4u
/* hotmem_explain_render(): the page alone, as hotmem_explain_page() (a later page of --all) */
#define HM_EXPLAIN_PAGE_ONLY	8u
int hotmem_explain_text(const struct hm_explain *ex, unsigned int parts, const char *more_hint,
			char *buf, size_t len);
/*
 * Block @id explained from @from_pfn and rendered, each form in a string
 * of its own the caller frees: @json (NULL: not asked) the JSON object,
 * @text (NULL: not asked) the text's @parts with @more_hint, as
 * hotmem_explain_text().  0, -ENOMEM, or the explanation's error (-ENODEV);
 * on an error both are NULL.  hotmemfs's control socket and hotmem run's
 * explain alike.
 */
int hotmem_explain_render(struct hotmem *hm, unsigned long id, uint64_t from_pfn, char **json,
			  unsigned int parts, const char *more_hint, char **text);

/* ------------------------------------------------------------------ */
/* Parameters (/sys/module/memory_hotplug/parameters, auto_online_blocks) */
/* ------------------------------------------------------------------ */

int hotmem_get_auto_online(struct hotmem *hm);	/* an MMOP_* */
int hotmem_set_auto_online(struct hotmem *hm, int online_type);
/*
 * While held, memory added comes up offline whatever auto_online_blocks
 * says, which stays as written: for a caller that adds memory back and
 * sets its states next (hotmemfs's undo) while a writer of
 * auto_online_blocks, which takes no lock (6.12), may set it meanwhile.
 */
void hotmem_hold_auto_online(struct hotmem *hm, bool hold);
int hotmem_get_online_policy(struct hotmem *hm);
int hotmem_set_online_policy(struct hotmem *hm, int policy);
const char *hotmem_online_policy_name(int policy);
int hotmem_online_policy_from_str(const char *s);
unsigned int hotmem_get_auto_movable_ratio(struct hotmem *hm);
int hotmem_set_auto_movable_ratio(struct hotmem *hm, unsigned int ratio);
bool hotmem_get_auto_movable_numa_aware(struct hotmem *hm);
int hotmem_set_auto_movable_numa_aware(struct hotmem *hm, bool on);
int hotmem_get_memmap_on_memory(struct hotmem *hm);	/* read-only */
/* its word as 6.12's param_get prints it: "N", "Y", "force"; "?" for none */
const char *hotmem_memmap_on_memory_name(int mode);
/* @e's type as 6.12 e820_print_type() says it ("usable", "ACPI data", ...) */
const char *hotmem_e820_word(const struct hm_e820_entry *e);
/* ... and as e820_type_to_string() names it (/proc/iomem, /sys/firmware/memmap/N/type) */
const char *hotmem_e820_name(const struct hm_e820_entry *e);
/* @e's ram and type from such a name; false: a type hotmem does not model */
bool hotmem_e820_from_name(const char *name, struct hm_e820_entry *e);
/* ... and from e820_print_type()'s word ("usable", "ACPI NVS", ...); false: one not modelled */
bool hotmem_e820_from_word(const char *word, struct hm_e820_entry *e);
/*
 * QEMU's -m (ram_size) from an e820 table in address order, as QEMU 7.2
 * lays it out: the RAM below 4 GiB with the reserved entries right after
 * its top (SeaBIOS's tables), plus the RAM above.  0: no such layout.
 */
uint64_t hotmem_e820_qemu_ram_size(const struct hm_e820_entry *e820, int nr);
/* the most entries hotmem_config_e820_table() gives: HM_MAX_E820, or two a boot range */
#define HM_E820_TABLE_MAX (HM_MAX_E820 > 2 * HM_MAX_BOOT_RANGES ? HM_MAX_E820 : 2 * HM_MAX_BOOT_RANGES)
/*
 * The firmware's e820 table @cfg boots with, into @t (HM_E820_TABLE_MAX
 * entries): its own, else the one made from its boot ranges.  How many.
 */
int hotmem_config_e820_table(const struct hotmem_config *cfg, struct hm_e820_entry *t);
/* a profile's kernel_alloc word: "off", "default", "heavy"; "?" for none */
const char *hotmem_kernel_alloc_name(int kernel_alloc);

/*
 * The kernel's own allocations (kmem.c: slab, page tables, pagesets,
 * kthread stacks) across a restart of a front end that saves the machine
 * (hotmemfs's state file): where they are, what changed since the last
 * look, and putting them back at their pages.  Boot's own (never freed)
 * are not among them: a boot of the same profile makes them again.
 */
struct hotmem_kmem_alloc {
	uint64_t pfn;
	unsigned int order;
	int site;		/* the allocating kernel function: hotmem_kmem_site_name();
				 * a state file keeps the number: never renumbered */
	int owner;		/* a pageset's zone (nid * zones + zid), a kthread's nid; -1 */
	bool background;	/* a later operation's tick may free it */
	bool freed;		/* in the log: the allocation at pfn was freed */
};
typedef int (*hotmem_kmem_cb)(void *arg, const struct hotmem_kmem_alloc *a);
const char *hotmem_kmem_site_name(int site);
int hotmem_kmem_site_from_name(const char *name);	/* -EINVAL: none */
/* each live allocation, in the engine's order; *@rng: the generator's state */
int hotmem_kmem_walk(struct hotmem *hm, hotmem_kmem_cb cb, void *arg, uint64_t *rng);
/* keep a log of the changes from now on (emptied) */
void hotmem_kmem_log_start(struct hotmem *hm);
/*
 * The log's entries have positions that only grow: the log's end now
 * (where the next entry goes) and the generator's state with it, for a
 * rewind to this point (hotmem_kmem_log_rewind()).  A lost log's
 * entries are not kept but take their positions all the same: two marks
 * with a change between them are never at one position.  Each mark copies the
 * list (a few hundred entries; a mark that finds it as the last copy at
 * the same position shares that one), for a rewind to it once the log is
 * lost: kept until hotmem_kmem_log_drop() past its position or a rewind
 * to it or before; at most 64 marks' copies, the oldest going first.
 */
unsigned long hotmem_kmem_log_mark(struct hotmem *hm, uint64_t *rng);
/*
 * the log's end now, as a mark's, but no mark: nothing copied (reread21b
 * K1: a record that carried a lost log reads its new end, no rewind goes
 * there)
 */
unsigned long hotmem_kmem_log_end(struct hotmem *hm);
/*
 * the log's entries from position @from on, in order; *@end: the log's
 * end; -EOVERFLOW: it was too long and is lost, or @from is before the
 * entries still held (hotmem_kmem_log_drop()): take hotmem_kmem_walk()
 * instead
 */
int hotmem_kmem_log_walk(struct hotmem *hm, unsigned long from, hotmem_kmem_cb cb, void *arg,
			 uint64_t *rng, unsigned long *end);
/*
 * the entries before position @to forgotten, and the copies of the marks
 * before it (no rewind goes there: a front end's changes before @to are
 * durable); ULONG_MAX: every entry, a lost log found again, the marks'
 * copies kept (a rewind past the lost log needs them)
 */
void hotmem_kmem_log_drop(struct hotmem *hm, unsigned long to);
/*
 * A front end's change not saved, undone: the log's entries from @to on
 * taken back, newest first -- an allocation freed, a free allocated
 * again at its pages, site and owner, in the list's order as it was --
 * and the generator as @rng; then nothing is allocated (paused) until
 * _rewind_end(), so that the undo's own operations (an offline) find
 * the machine as before the change.  A page the change took offline
 * cannot be taken yet: it is owed, taken in _rewind_end() once the undo
 * onlined it again (*@moved: those allocated elsewhere instead).
 * When the log was lost (past 65536 entries) or does not reach back to
 * @to, the list goes back to the copy @to's mark made
 * (hotmem_kmem_log_mark()): the same allocations at the same pages in
 * the same order.  Each change's mark has its own, at its own position,
 * so a front end that rewinds several changes, newest first, takes back
 * each one's; a rewind to an older mark first takes the newer changes
 * with it, as with the log held, and a rewind to one of their marks is
 * then -EOVERFLOW.  The copies of the marks after @to go, and @to's
 * (its change is undone).
 * -EOVERFLOW: no copy of @to past a lost log, nothing changed; -EBUSY:
 * an allocation could not be freed (its memmap unmapped); what was
 * taken back stays (from the copy: nothing changed).  The free lists'
 * order is not rewound: the allocations after are at the same pages
 * all the same (test_kmem's test_rewind_leaves_later_allocations_as_without).
 * The pageblocks the change's allocations claimed for their migratetype
 * are given back, so /proc/pagetypeinfo is as before (docs/engine.md).
 * The kernel never undoes: this is the state file's own transaction
 * (docs/hotmemfs.md).
 */
int hotmem_kmem_log_rewind(struct hotmem *hm, unsigned long to, uint64_t rng);
void hotmem_kmem_log_rewind_end(struct hotmem *hm, unsigned long *moved);
/* a restore under way: operations allocate nothing of the kernel's own */
void hotmem_kmem_pause(struct hotmem *hm, bool pause);
/*
 * A restore puts saved ones back at their pages: _begin() frees those the
 * boot made; _take() takes each of @a not yet @taken whose pages are free
 * now (online, below ZONE_MOVABLE) and sets it, as often as more memory
 * came online (-ENOMEM: the record could not grow); _end() allocates anew
 * those never taken (*@moved of them, where the allocator puts them) and
 * puts the saved order and generator back.
 */
void hotmem_kmem_restore_begin(struct hotmem *hm);
int hotmem_kmem_restore_take(struct hotmem *hm, const struct hotmem_kmem_alloc *a,
			     unsigned long n, bool *taken);
int hotmem_kmem_restore_end(struct hotmem *hm, const struct hotmem_kmem_alloc *a,
			    unsigned long n, const bool *taken, uint64_t rng, unsigned long *moved);
/*
 * The pageblocks whose migratetype a fallback claimed (6.12
 * steal_suitable_fallback() -> set_pageblock_migratetype()), which a
 * running kernel keeps and a restart that puts the allocations back at
 * their pages would not make again: _walk() gives each online one with
 * its type now (0 Unmovable, 1 Movable, 2 Reclaimable: enum
 * migratetype); _again() sets one back and moves its free pages to that
 * type's lists, before the allocations are put back (-EINVAL: not a
 * pageblock's first pfn or not such a type; -ENOENT: not online).
 */
typedef int (*hotmem_pageblock_cb)(void *arg, uint64_t pfn, int migratetype);
int hotmem_pageblock_claimed_walk(struct hotmem *hm, hotmem_pageblock_cb cb, void *arg);
int hotmem_pageblock_claim_again(struct hotmem *hm, uint64_t pfn, int migratetype);
/*
 * Where each memmap from system RAM is (vmemmap_populate(): an order-9
 * block of the buddy's, PG_vmemmap; not memmap_on_memory's, not boot's):
 * the section's first pfn and the memmap's.  A restart puts them back
 * there: _restore_begin() keeps @n places, the adds that follow take a
 * section's place when its pages are free and online (as the kernel
 * would have, at its add, when they were), else the buddy's block;
 * _restore_end() (every block as saved) moves those memmaps to their
 * places when free now, forgets the places and returns how many
 * memmaps are not at theirs.  The kernel never moves a memmap: this is
 * the state file's restore (docs/engine.md).
 */
struct hotmem_memmap_moved {
	uint64_t index, count, pfn;	/* vmemmap pages [index, index + count) on [pfn, ...) */
};
struct hotmem_memmap_at {
	uint64_t section_pfn, pfn;
	/*
	 * the walk's only (_restore_begin() ignores them): the vmemmap pages
	 * of a memmap HugeTLB's vmemmap optimisation split that are no longer
	 * on their page of the block at @pfn nor shared with a huge page's
	 * head -- 6.12 alloc_vmemmap_page_list() gave them new pages when a
	 * huge page there was freed or dissolved -- in runs, valid during the
	 * callback.  _move_again() puts them back on those pages.
	 */
	const struct hotmem_memmap_moved *moved;
	size_t nr_moved;
};
/*
 * The boot memmap's pages HugeTLB's vmemmap optimisation gave to the
 * buddy, for good (6.12 free_vmemmap_page() -> free_bootmem_page() ->
 * adjust_managed_page_count(+1): MemTotal and the zone's managed grow,
 * and a later restore of the huge page's vmemmap takes fresh pages), as
 * runs of vmemmap page numbers (a boot section's number x its memmap
 * pages + the page's index in it): @cb(@arg, first, count) for each, in
 * order.  A restart boots them reserved again: _free_again() gives them
 * up once more -- the struct pages each holds copied to a page of the
 * buddy, mapped from there, the boot page freed -- and returns how many
 * could not be (no such boot section; no page; the host refused).  One
 * the restored pool's optimisation gave up already stays as it is.
 */
typedef int (*hotmem_memmap_run_cb)(void *arg, uint64_t first, uint64_t count);
int hotmem_boot_memmap_freed_walk(struct hotmem *hm, hotmem_memmap_run_cb cb, void *arg);
unsigned long hotmem_boot_memmap_free_again(struct hotmem *hm, uint64_t first, uint64_t count);
typedef int (*hotmem_memmap_cb)(void *arg, const struct hotmem_memmap_at *at);
int hotmem_memmap_walk(struct hotmem *hm, hotmem_memmap_cb cb, void *arg);
/* the same for the sections of [@start_pfn, @end_pfn) only: O(the range), not O(the machine) */
int hotmem_memmap_walk_range(struct hotmem *hm, uint64_t start_pfn, uint64_t end_pfn,
			     hotmem_memmap_cb cb, void *arg);
int hotmem_memmap_restore_begin(struct hotmem *hm, const struct hotmem_memmap_at *at, size_t n);
unsigned long hotmem_memmap_restore_end(struct hotmem *hm);
/*
 * A restart's replay of a walk's @moved run for the memmap of the section
 * at @section_pfn: vmemmap page @index and the @count - 1 after it moved
 * to [@pfn, ...) when those pages are free -- one still on its page of
 * the memmap's block that cannot have its own takes a page of the buddy's,
 * as the HugeTLB restore that moved it took one -- and that block's page
 * freed.  After the pool is back: a page the restored pool's optimisation
 * shares with a huge page's head stays so.  Returns how many are not at
 * their pfns.
 */
unsigned long hotmem_memmap_move_again(struct hotmem *hm, uint64_t section_pfn, uint64_t index,
				       uint64_t count, uint64_t pfn);
/*
 * The page holding the head vmemmap page of the optimised huge page at
 * @head_pfn when that page is the buddy's: the new page 6.12's
 * vmemmap_remap_free() copied it to, or, for a hot-added memmap (split
 * from the buddy's block) whose head stayed on its own page (no new page
 * to be had), that block's page -- "heads" records it too, harmless: the
 * restored HVO moves the head off it, and it is free then.  0: not
 * optimised, @head_pfn no 2 MiB aligned pfn, its memmap unmapped or the
 * page lost, or the head kept on a page that is not the buddy's (a boot
 * memmap's, an altmap's).  _move() puts the head on @want when that page
 * is free (a restart's, after the pool: the running machine's head
 * page), the tails with it: 6.12 maps them read-only onto the head's
 * page (walk.reuse_page), so each is mapped from @want before the old
 * page is freed.  0, or -EBUSY (@want not free), -EINVAL (a pfn not
 * valid, or _page() 0 for @head_pfn), -ENOMEM (the host refused: head
 * and tails back on the old page, @want free again).
 */
unsigned long hotmem_hugetlb_head_page(struct hotmem *hm, uint64_t head_pfn);
int hotmem_hugetlb_head_page_move(struct hotmem *hm, uint64_t head_pfn, uint64_t want);
/*
 * /sys/module/virtio_mem/parameters/unplug_online (0644, default Y): off,
 * the virtio-mem drivers unplug offline memory only, and retry when a
 * memory block of theirs goes offline (hm_virtio_mem_info.work_pending).
 */
bool hotmem_get_virtio_mem_unplug_online(struct hotmem *hm);
int hotmem_set_virtio_mem_unplug_online(struct hotmem *hm, bool on);

/* notifier-error-inject/memory/actions/<ACTION>/error */
int hotmem_set_notifier_error(struct hotmem *hm, int action, int err);
int hotmem_get_notifier_error(struct hotmem *hm, int action);

/*
 * mm/mempolicy.c policy_zone (enum hmu_zone): the highest populated zone
 * below ZONE_MOVABLE the zonelists were ever built with (boot's first),
 * "Policy zone:" in the log.  Only ever raised, as check_highest_zone()
 * does: a state file's restore raises it to what it was (the blocks'
 * onlines may not reach it again); a lower zone leaves it as it is.
 * -EINVAL for no zone below ZONE_MOVABLE.
 */
int hotmem_get_policy_zone(struct hotmem *hm);
int hotmem_raise_policy_zone(struct hotmem *hm, int zid);

/* ------------------------------------------------------------------ */
/* Accounting (/proc/meminfo, /proc/zoneinfo, node meminfo)            */
/* ------------------------------------------------------------------ */

/*
 * enum numa_stat_item (6.12 include/linux/mmzone.h): a zone's NUMA events,
 * which zone_statistics() counts at each allocation from the buddy (one
 * an allocation, not a page): HIT on the preferred node's zone or MISS on
 * another's, with FOREIGN on the preferred zone; LOCAL or OTHER by the
 * allocating CPU's node.  INTERLEAVE_HIT needs MPOL_INTERLEAVE: 0.
 */
enum hm_numa_event {
	HM_NUMA_HIT,
	HM_NUMA_MISS,
	HM_NUMA_FOREIGN,
	HM_NUMA_INTERLEAVE_HIT,
	HM_NUMA_LOCAL,
	HM_NUMA_OTHER,
	HM_NR_NUMA_EVENTS
};

struct hm_zone_info {
	int nid, zid;
	bool populated;
	unsigned long zone_start_pfn, spanned, present, present_early, managed;
	unsigned long nr_free;		/* free pages in the buddy */
	unsigned long free_area[HM_MAX_PAGE_ORDER + 1];	/* blocks per order */
	unsigned long nr_isolate_pageblock;
	unsigned long wmark_min, wmark_low, wmark_high;
	unsigned long nr_alloc_movable, nr_alloc_unmovable, nr_alloc_pinned;
	unsigned long cma_pages;
	/*
	 * the per-CPU pagesets' pcp->high (zoneinfo's "high:"), every CPU's
	 * alike: 0 until an allocation or free went through them since the
	 * zone's pageset was set up, then high_min as an idle kernel's
	 * settles -- but after a vm.percpu_pagelist_high_fraction write,
	 * where it was clamped into the new limits (6.12 leaves it; its
	 * decay to high_min runs on vmstat's interval, not modelled)
	 */
	long pcp_high;
	/*
	 * what the last zone_pcp_update() set the pagesets to (6.12 keeps
	 * them in zone->pageset_*), and refresh_zone_stat_thresholds() the
	 * vm stats threshold: set at boot, each online and offline (and a
	 * watermark sysctl write: the pcp values), not as managed moves
	 */
	long pcp_batch, pcp_high_min, pcp_high_max;
	int stat_threshold;
	/* the kernel's own pages in this zone (zoneinfo's node stats sum them) */
	unsigned long nr_slab_reclaimable, nr_slab_unreclaimable;
	unsigned long nr_page_table_pages, nr_kernel_stack, nr_percpu;
	unsigned long numa_events[HM_NR_NUMA_EVENTS];	/* enum hm_numa_event */
	/*
	 * zone->lowmem_reserve[j]: the pages kept from allocations that could
	 * use zone j above it, the allocator's own (zoneinfo's "protection:")
	 */
	unsigned long lowmem_reserve[HM_MAX_NR_ZONES];
	/*
	 * zone->watermark_boost (6.12 boost_watermark()): on top of each
	 * wmark_* above wherever the kernel reads a mark (zoneinfo's
	 * min/low/high print them with it)
	 */
	unsigned long watermark_boost;
	/* its node's kswapd gave up (kswapd_failures >= MAX_RECLAIM_RETRIES) */
	bool node_unreclaimable;
};

struct hm_node_info {
	int nid;
	bool online, has_memory, has_normal_memory;
	bool has_cpu;			/* present CPUs on it (hotmem_config.cpu_nodes) */
	unsigned long node_start_pfn, spanned, present, managed, free;
	unsigned long hugepages_total, hugepages_free;
	unsigned long hugepages_optimized; /* of the pool's: vmemmap optimised (HVO) */
	unsigned long hugepages_zone[HM_MAX_NR_ZONES]; /* of the pool's: in each zone */
	/* memory_failure()'s outcomes here (nodeN/memory_failure/, action_result()) */
	unsigned long mf_total, mf_recovered;
	unsigned long mf_ignored, mf_failed, mf_delayed;
};

struct hm_meminfo {
	unsigned long totalram_pages;	/* managed pages: MemTotal */
	unsigned long free_pages;	/* MemFree */
	unsigned long present_pages;
	unsigned long reserved_pages;
	unsigned long memmap_pages;	/* pages holding struct pages */
	unsigned long memmap_on_memory_pages;	/* of those, self-hosted */
	unsigned long hugetlb_pages;	/* 2 MiB pages in the hugetlb pool */
	unsigned long hugetlb_free;
	unsigned long hvo_saved_pages;	/* vmemmap pages freed by HVO */
	unsigned long nr_alloc_movable, nr_alloc_unmovable;	/* workload */
	unsigned long nr_alloc_pinned;	/* workload, held by get_user_pages(): anon too */
	unsigned long offline_pages;	/* present but offline (hot-added) */
	/* the kernel's own allocations, pages (meminfo's kB / 4) */
	unsigned long slab_reclaimable;	/* SReclaimable */
	unsigned long slab_unreclaimable;	/* SUnreclaim */
	unsigned long pagetables;	/* PageTables */
	unsigned long kernel_stack;	/* KernelStack */
	unsigned long percpu;		/* Percpu */
};

int hotmem_nr_possible_nodes(const struct hotmem *hm);
/*
 * node_distance(): the SLIT's, else x86's __node_distance() without one,
 * LOCAL_DISTANCE 10 and REMOTE_DISTANCE 20.  -EINVAL for a node not possible.
 */
int hotmem_node_distance(const struct hotmem *hm, int from, int to);
int hotmem_node_info(struct hotmem *hm, int nid, struct hm_node_info *ni);
int hotmem_zone_info(struct hotmem *hm, int nid, int zid,
		     struct hm_zone_info *zi);
void hotmem_meminfo(struct hotmem *hm, struct hm_meminfo *mi);

/*
 * /proc/pagetypeinfo of a zone (mm/vmstat.c pagetypeinfo_show(), 6.12):
 * its free blocks per migratetype's free list and order, counted as
 * pagetypeinfo_showfree_print() counts them (it stops at
 * HM_PAGETYPE_FREE_CAP and prints ">100000"), and its online pageblocks
 * by migratetype, an isolated one as MIGRATE_ISOLATE (6.12 has no
 * isolation bit of its own).  Columns in 6.12's migratetype_names[]
 * order for the Debian guest's config (no CONFIG_CMA, with
 * CONFIG_MEMORY_ISOLATION); the engine keeps no MIGRATE_HIGHATOMIC
 * reserve, so that column is 0.  -EINVAL for a zone that does not exist.
 */
enum hm_migratetype {
	HM_MT_UNMOVABLE,
	HM_MT_MOVABLE,
	HM_MT_RECLAIMABLE,
	HM_MT_HIGHATOMIC,
	HM_MT_ISOLATE,
	HM_NR_MIGRATETYPES
};
#define HM_PAGETYPE_FREE_CAP 100000UL

struct hm_pagetype_info {
	unsigned long nr_free[HM_NR_MIGRATETYPES][HM_MAX_PAGE_ORDER + 1];
	unsigned long nr_blocks[HM_NR_MIGRATETYPES];
};

int hotmem_zone_pagetype_info(struct hotmem *hm, int nid, int zid, struct hm_pagetype_info *pi);
/* vm.min_free_kbytes: what the watermarks were last set from */
unsigned long hotmem_min_free_kbytes(struct hotmem *hm);
/*
 * 6.12 totalreserve_pages: the zones' high marks (boost included) and
 * largest lowmem_reserve[], as the last setup of the marks or the
 * reserves summed them (global_dirtyable_memory() subtracts it)
 */
unsigned long hotmem_totalreserve_pages(struct hotmem *hm);
/*
 * The watermark sysctls, writable as in 6.12 (mm/page_alloc.c
 * page_alloc_sysctl_table): each write sets the watermarks or the
 * reserves again at once, as the online path does.
 *
 * vm.min_free_kbytes: 0..INT_MAX (-EINVAL else), kept as the operator's
 * (hotmem_user_min_free_kbytes(), -1 for none): an online or offline
 * computes it again only when its own value is larger, else logs
 * "min_free_kbytes is not updated to N because user defined value U is
 * preferred".  hotmem_restore_min_free_kbytes() sets both as a saved
 * machine had them (@user -1: none).
 */
int hotmem_set_min_free_kbytes(struct hotmem *hm, long long kbytes);
int hotmem_restore_min_free_kbytes(struct hotmem *hm, long long kbytes, long long user);
int hotmem_user_min_free_kbytes(struct hotmem *hm);
/*
 * a write of vm.min_free_kbytes whose parser took nothing (a position
 * past the start): 6.12's handler makes the value of now the user's and
 * sets the marks up again
 */
void hotmem_min_free_kbytes_sysctl_unparsed(struct hotmem *hm);
/* vm.watermark_scale_factor: 1..3000 (-EINVAL else), 10 at boot */
int hotmem_set_watermark_scale_factor(struct hotmem *hm, long long factor);
int hotmem_watermark_scale_factor(struct hotmem *hm);
/*
 * vm.percpu_pagelist_high_fraction as 6.12's handler takes a parsed
 * value: 0 (the default: the pagesets' high_min from the low mark,
 * high_max from an eighth of the managed pages) or at least 8 (both the
 * managed pages over it); 1..7 and what proc_dointvec_minmax() refuses
 * -EINVAL, the old one kept.  A new value sets every populated zone's
 * pagesets' limits again, as the next online or offline will.
 */
int hotmem_set_percpu_pagelist_high_fraction(struct hotmem *hm, long long fraction);
int hotmem_percpu_pagelist_high_fraction(struct hotmem *hm);
/* the zones' marks still the boot's (no setup_per_zone_wmarks() since) */
bool hotmem_wmarks_boot(struct hotmem *hm);
/* setup_per_zone_wmarks() from the managed pages of now (a restore's) */
void hotmem_setup_per_zone_wmarks(struct hotmem *hm);
/*
 * vm.watermark_boost_factor: 0..INT_MAX (-EINVAL else), 15000 at boot;
 * 0 disables the watermark boost, any other value caps it at
 * factor/10000 of a zone's high mark from the next fallback on
 */
int hotmem_set_watermark_boost_factor(struct hotmem *hm, long long factor);
int hotmem_watermark_boost_factor(struct hotmem *hm);
/*
 * vm.lowmem_reserve_ratio, a ratio per zone: the first @n (at most
 * HM_MAX_NR_ZONES) set from @ratio, the others kept; one below 1 is
 * stored as 0 (no reserve)
 */
void hotmem_set_lowmem_reserve_ratio(struct hotmem *hm, const int *ratio, int n);
void hotmem_lowmem_reserve_ratio(struct hotmem *hm, int ratio[HM_MAX_NR_ZONES]);
/*
 * whether setup_per_zone_lowmem_reserve() now would move a reserve or
 * totalreserve_pages (the managed pages or a boost moved since the last
 * setup): 6.12 runs it at every read of vm.lowmem_reserve_ratio too
 */
bool hotmem_lowmem_reserve_stale(struct hotmem *hm);
/*
 * The three, the operator's min_free_kbytes and every zone's watermarks
 * and lowmem_reserve[] as they stand, saved (NULL: no memory) and stored
 * back exactly, nothing computed again: a failed write's undo.  @what:
 * HM_WMARK_MARKS (min_free_kbytes, the operator's, watermark_scale_factor,
 * percpu_pagelist_high_fraction and _watermark[] with watermark_boost and
 * the pagesets' limits: what their writes set),
 * HM_WMARK_RESERVES (the
 * ratios and lowmem_reserve[]), or both.
 */
struct hm_wmark_state;
/*
 * HM_WMARK_ZONE_MARKS: the zones' _watermark[] alone (the sysctls as they
 * are: a state file's restore); HM_WMARK_ZONE_RESERVES: their
 * lowmem_reserve[] alone, and only while the ratios are still the
 * snapshot's (a lock-free ratio write since keeps the reserves its own
 * setup computed: a block change's undo)
 */
enum {
	HM_WMARK_MARKS = 1,
	HM_WMARK_RESERVES = 2,
	HM_WMARK_ZONE_MARKS = 4,
	HM_WMARK_ZONE_RESERVES = 8,
};
struct hm_wmark_state *hotmem_wmark_save(struct hotmem *hm);
void hotmem_wmark_restore(struct hotmem *hm, const struct hm_wmark_state *s, unsigned int what);
void hotmem_wmark_free(struct hm_wmark_state *s);
/* the possible nodes a snapshot has (hotmem_nr_possible_nodes() at the save) */
int hotmem_wmark_state_nodes(const struct hm_wmark_state *s);
/* one possible node's zones' marks and reserves */
struct hm_node_wmarks {
	struct {
		unsigned long watermark[3]; /* _watermark[]: min, low, high, no boost */
		/*
		 * watermark_boost: a write's setup zeroes it, so its undo
		 * puts it back (reread42 R8: a hopeless node's stays)
		 */
		unsigned long boost;
		unsigned long lowmem_reserve[HM_MAX_NR_ZONES]; /* zoneinfo's "protection:" */
		/* the pagesets' batch, high_min, high_max zone_pcp_update() set with the marks */
		long pcp[3];
		/* the vm stats threshold refresh_zone_stat_thresholds() last set */
		int stat_threshold;
		/*
		 * pcp[] and stat_threshold a state file's
		 * (hotmem_wmark_state_set_pcp()): stored as they are, not set
		 * up again from the file's marks (restart42)
		 */
		bool pcp_kept;
		/*
		 * every CPU's pcp->high (zoneinfo's "high:"), 0 while no
		 * allocation or free went through the pagesets; with
		 * pcp_high_kept a state file's (hotmem_wmark_state_set_pcp_high())
		 */
		long pcp_high;
		bool pcp_high_kept;
	} zone[HM_MAX_NR_ZONES];
	/* pgdat->totalreserve_pages the last setup set from them (an undo's) */
	unsigned long totalreserve_pages;
};
/*
 * The first @nr possible nodes' marks and reserves as they stand, into
 * the caller's @n, read in one hold of wmark_lock as hotmem_wmark_save()
 * reads them, nothing else taken: a state file's every save writes
 * them (state41: it took a whole snapshot for that).  Returns the nodes
 * filled, at most hotmem_nr_possible_nodes().
 */
int hotmem_node_wmarks(struct hotmem *hm, struct hm_node_wmarks *n, int nr);
/*
 * hotmem_node_wmarks() but each zone's lowmem_reserve[] what a write of
 * all the ratios @ratio (below 1: 0) leaves, computed as
 * setup_per_zone_lowmem_reserve() does from the managed pages of now,
 * nothing stored in the machine: a ratio write's record carries them.
 * Each online node's totalreserve_pages, and *@totalreserve (NULL: not
 * wanted) their sum over the @nr nodes, what that setup's
 * calculate_totalreserve_pages() sums from them and the marks and boost
 * of now (restart42: the boost standing at the write is in it).
 */
int hotmem_node_wmarks_reserves_for(struct hotmem *hm, const int ratio[HM_MAX_NR_ZONES],
				    struct hm_node_wmarks *n, int nr, unsigned long *totalreserve);
/*
 * Zone @zid of node @nid in @s set to @wmark (min, low, high, no boost)
 * and @reserve (lowmem_reserve[], /proc/zoneinfo's "protection:"), either
 * NULL: kept, for a hotmem_wmark_restore(); -ENOENT: no such node (of
 * the save's) or zone
 */
int hotmem_wmark_state_set_zone(struct hm_wmark_state *s, int nid, int zid,
				const unsigned long wmark[3],
				const unsigned long reserve[HM_MAX_NR_ZONES]);
/*
 * Zone @zid of node @nid in @s given a state file's pagesets' batch,
 * high_min, high_max (@pcp) and vm stats threshold, stored as they are
 * by a hotmem_wmark_restore() with HM_WMARK_ZONE_MARKS: 6.12 sets them
 * up only with the marks (zone_pcp_update()) and at an online or offline
 * (refresh_zone_stat_thresholds()), from the managed pages of then,
 * which virtio-mem's sub-blocks and HVO move without a setup (restart42).
 * -ENOENT: no such node or zone; -EINVAL: a value out of range.
 */
int hotmem_wmark_state_set_pcp(struct hm_wmark_state *s, int nid, int zid, const long pcp[3],
			       int stat_threshold);
/*
 * Zone @zid of node @nid in @s given a state file's pcp->high @high
 * (0: no allocation or free through the pagesets yet), stored as it is
 * with the file's pagesets: a vm.percpu_pagelist_high_fraction write
 * leaves it where it was, clamped into the new limits, not at high_min
 * (6.12.118: 572 kept after a write of 0).  A file without it has it at
 * the file's high_min.  -ENOENT: no such node or zone; -EINVAL: negative.
 */
int hotmem_wmark_state_set_pcp_high(struct hm_wmark_state *s, int nid, int zid, long high);
/*
 * totalreserve_pages a state file kept: @all and the first @nr nodes'
 * (@node), stored as they are by a hotmem_wmark_restore() of the marks
 * or reserves, not summed again (the boost and managed pages of the
 * last setup, which a restore has not: restart42).  -EINVAL: @nr is
 * not the snapshot's node count.
 */
int hotmem_wmark_state_set_totalreserve(struct hm_wmark_state *s, unsigned long all,
					const unsigned long *node, int nr);

/*
 * The machine-wide counters of /proc/vmstat (mm/vmstat.c, 6.18) beside
 * the zone and node state above: the vm events the engine's paths count
 * since boot, as the kernel's count_vm_events() calls do, and the memmap
 * by where it came from.  The other events of vmstat_text[] happen on no
 * path the engine models (reclaim, faults, compaction proper, THP, NUMA
 * balancing, swap): 0.
 */
enum hm_vm_event {
	HM_PGMIGRATE_SUCCESS,		/* migrate_pages(): base pages moved */
	HM_PGMIGRATE_FAIL,		/* and the ones that would not move */
	HM_HTLB_BUDDY_PGALLOC,		/* alloc_buddy_hugetlb_folio(): a fresh huge page */
	HM_HTLB_BUDDY_PGALLOC_FAIL,	/* and a node that had no free 2 MiB block */
	/*
	 * COMPACTISOLATED: pages alloc_contig_range() (virtio-mem's unplug)
	 * isolated, to migrate (isolate_migratepages_block()) and free ones
	 * taken (isolate_freepages_block()); no compaction runs besides
	 */
	HM_COMPACTISOLATED,
	/*
	 * PGALLOC by zone (rmqueue(): 2^order pages an allocation from the
	 * buddy, the zone's it came from) and PGFREE (free_one_page() and
	 * the per-CPU free: 2^order pages each, boot's and an online's memory
	 * handed to the buddy too)
	 */
	HM_PGALLOC,
	HM_PGFREE = HM_PGALLOC + HM_MAX_NR_ZONES,
	HM_NR_VM_EVENTS
};

struct hm_vmstat {
	unsigned long events[HM_NR_VM_EVENTS];
	unsigned long memmap_pages;	/* NR_MEMMAP_PAGES: struct pages from the buddy (hot-add, HVO restore) */
	unsigned long memmap_boot_pages;	/* NR_MEMMAP_BOOT_PAGES: from memblock at boot */
};

void hotmem_vmstat(struct hotmem *hm, struct hm_vmstat *vs);
/* Engine metadata bytes (everything malloc'd, excluding emulated RAM). */
size_t hotmem_metadata_bytes(struct hotmem *hm);
/* The most metadata ever held at once (boot's temporary arrays included). */
size_t hotmem_metadata_peak_bytes(struct hotmem *hm);
/*
 * Host bytes of emulated RAM actually resident: memfd pages touched, plus
 * the memmap templates and the pages copied from them.
 */
size_t hotmem_ram_resident_bytes(struct hotmem *hm);
/*
 * The vm.max_map_count that plugging every block maxmem leaves for
 * hot-add, each with a self-hosted memmap (one host mapping a block),
 * needs now; 0 when the cap allows it or memmaps come from system RAM.
 */
unsigned long hotmem_host_maps_needed(struct hotmem *hm);

/* ------------------------------------------------------------------ */
/* Workload: allocations that make offline fail as on a real machine   */
/* ------------------------------------------------------------------ */

enum hm_alloc_type {
	HM_ALLOC_MOVABLE,	/* user pages: migratable */
	HM_ALLOC_UNMOVABLE,	/* kernel pages: pin their pageblock */
	/*
	 * User pages held pinned (get_user_pages() without FOLL_LONGTERM, held
	 * for long, e.g. by a driver): movable by type, so they may sit in
	 * ZONE_MOVABLE, but migration fails while the pin is held — offlining
	 * their block loops until a signal ends it.  (A FOLL_LONGTERM pin would
	 * have moved the page out of ZONE_MOVABLE first, mm/gup.c.)
	 */
	HM_ALLOC_PINNED,
	HM_ALLOC_NR
};

/*
 * Allocate @nr order-0 pages of @type as a task whose mempolicy prefers
 * @nid (MPOL_PREFERRED; -1: none, node 0's zonelist): @nid's zones first,
 * then the other nodes' when @nid runs out.  A node without memory is
 * -EINVAL, nothing allocated (6.12 set_mempolicy() refuses a preference
 * for it); a node not possible too.  Movable pages may come from
 * ZONE_MOVABLE; unmovable ones never do.  Returns the number allocated
 * (may be fewer when memory runs out) or -errno.  Handles come back in
 * @handles when non-NULL.
 */
long hotmem_alloc_pages(struct hotmem *hm, int nid, int type, unsigned long nr,
			unsigned long *handles);
/* Allocate at a given pfn's block if free (tests pin a specific block). */
int hotmem_alloc_page_at(struct hotmem *hm, uint64_t pfn, int type,
			 unsigned long *handle);
int hotmem_free_page(struct hotmem *hm, unsigned long handle);
/* Free every workload page; returns how many. */
unsigned long hotmem_free_all(struct hotmem *hm);
/* Where a handle lives now (it moves when migrated). */
int hotmem_handle_pfn(struct hotmem *hm, unsigned long handle, uint64_t *pfn);
/* Write/read a page's content through the direct map (tests migration). */
int hotmem_page_write(struct hotmem *hm, unsigned long handle, const void *buf,
		      size_t len);
int hotmem_page_read(struct hotmem *hm, unsigned long handle, void *buf,
		     size_t len);

/*
 * memory_add_physaddr_to_nid(): the node firmware would give a hot-added
 * range at @phys (the node of the boot range holding it, else node 0).
 */
int hotmem_phys_to_nid(struct hotmem *hm, uint64_t phys);

/*
 * Memory failure (CONFIG_MEMORY_FAILURE): soft_offline_page() migrates a
 * page's content away and retires the page; memory_failure() retires it
 * at once, dropping a workload page's content with it.  -ENXIO for a pfn
 * without memmap, -EIO when offline.  A kernel page (slab, page tables,
 * memmap, boot reservations, the workload's unmovable pages):
 * soft_offline_page() leaves it, -EIO; memory_failure() poisons it and
 * ignores it (MF_IGNORED), -EBUSY -- the page is poison all the same.  A
 * pinned page: soft offline -EBUSY (migration fails); memory_failure()
 * poisons it and fails (MF_FAILED), -EBUSY.  memory_failure() on a
 * poisoned page is -EHWPOISON.  A page of a free HugeTLB pool page: both
 * dissolve the huge page (the pool one smaller) and retire the page, 0
 * (memory_failure(): MF_RECOVERED); -EBUSY when the dissolve fails:
 * soft_offline_page() changes nothing, memory_failure() leaves the huge
 * page poisoned in the pool (MF_FAILED, counted, as 6.12), -EHWPOISON
 * for any page of it after.  memory_failure() marks the huge page first,
 * as 6.12 does; soft_offline_page() does not, so an allocation racing it
 * can take the page once the huge page is dissolved, and tries once more
 * as 6.12's does (try_again): the page, in use now, migrated away and
 * retired, 0.  A block holding poisoned pages cannot be
 * onlined again (-EHWPOISON) until it is removed.
 */
int hotmem_soft_offline_page(struct hotmem *hm, uint64_t pfn);
int hotmem_memory_failure(struct hotmem *hm, uint64_t pfn);
/* memory_failure()'s outcomes (enum mf_result), as nodeN/memory_failure/ counts them */
enum hm_mf_result { HM_MF_NONE = -1, HM_MF_IGNORED, HM_MF_FAILED, HM_MF_DELAYED, HM_MF_RECOVERED };
/*
 * hotmem_memory_failure() that says in *@counted what it counted
 * (HM_MF_NONE: nothing, the page not poisoned now) and, @count_as not
 * HM_MF_NONE, counts that instead of what it finds: a replay of a
 * recorded failure (hotmemfs's restart, whose workload is gone: a kernel
 * page ignored before is a free page now) keeps the counters as they read.
 * The page is handled as it is now (a free one taken off the buddy).
 */
int hotmem_memory_failure_counted(struct hotmem *hm, uint64_t pfn, int count_as, int *counted);
unsigned long hotmem_nr_poisoned_pages(struct hotmem *hm);

/* HugeTLB pool: 2 MiB pages; with hugetlb_free_vmemmap, vmemmap optimised. */
long hotmem_hugetlb_alloc(struct hotmem *hm, int nid, unsigned long nr);
long hotmem_hugetlb_free(struct hotmem *hm, unsigned long nr);
/* @nr fewer of @nid's alone (NUMA_NO_NODE: the global pool); how many, or -errno */
long hotmem_hugetlb_free_node(struct hotmem *hm, int nid, unsigned long nr);
/*
 * nodeN/hugepages/hugepages-2048kB/nr_hugepages: @nid's pool grown on @nid
 * alone (as far as its memory lets it) or shrunk to @count; the node's
 * count reached, or -errno.  NUMA_NO_NODE: the global pool's
 * (/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages), interleaved
 * over the nodes with memory; the pool's count reached.
 */
long hotmem_hugetlb_set_node(struct hotmem *hm, int nid, unsigned long count);
/*
 * The same for @task (the writer): a growth stops at its signal after
 * the page under way, as 6.12's set_max_huge_pages() does, the pages so
 * far kept (the count reached, no error).  A shrink is not interrupted.
 */
long hotmem_hugetlb_set_node_task(struct hotmem *hm, int nid, unsigned long count,
				  const struct hotmem_task *task);
/*
 * A restore's (hotmemfs's state file): @nid's pool set to @count as
 * hotmem_hugetlb_set_node() does, the pages it takes optimised, whatever
 * vm.hugetlb_optimize_vmemmap says now, until the node has @optimized
 * optimised ones (hm_node_info.hugepages_optimized) -- the switch was
 * another when they were taken; then the node's pages already there put
 * right, more optimised or fewer (a boot pool hugetlb_free_vmemmap=on
 * optimised).  Fewer optimised than asked when no more can be (a
 * self-hosted memmap), more when a vmemmap restore found no memory: the
 * caller compares.  -EINVAL: no such node, or @optimized past @count.
 */
long hotmem_hugetlb_restore_node(struct hotmem *hm, int nid, unsigned long count,
				 unsigned long optimized);
/*
 * hotmem_hugetlb_restore_node(), the pages it takes first taken at @pfns
 * (@npfns heads, hotmem_hugetlb_walk()'s, in every zone) where they are
 * free now, unoptimised until all are taken; the rest as
 * hotmem_hugetlb_restore_node() takes them.  Where a running pool's
 * pages are is not where a growth of now would put them: an offline's
 * replacement pages came from where there was room then (restore42),
 * the pool grew before a later add's memmap took its block (restore42b)
 * or around the workload's pages (vmremap43).  Without @pfns (a state
 * file from before them: @npfns 0), the pages are taken first in the
 * zones @zones names (hm_node_info.hugepages_zone, a count each; NULL:
 * none), the highest zone first, as many as each lacks and has room
 * for.  -EINVAL as hotmem_hugetlb_restore_node(), or @pfns NULL with
 * @npfns.
 */
long hotmem_hugetlb_restore_node_at(struct hotmem *hm, int nid, unsigned long count,
				    unsigned long optimized,
				    const unsigned long zones[HM_MAX_NR_ZONES],
				    const uint64_t *pfns, size_t npfns);
/* @cb on each of @nid's pool pages' head pfn, in the pool's order; stops at a non-zero return */
int hotmem_hugetlb_walk(struct hotmem *hm, int nid, int (*cb)(void *arg, uint64_t pfn),
			void *arg);
/*
 * The global pool's round robin (6.12 h->next_nid_to_alloc and
 * next_nid_to_free): read, or put back (a restart); -EINVAL for a node
 * that is not possible.  A node without memory is stepped over when it
 * is next used (get_valid_node_allowed()).
 */
void hotmem_hugetlb_next_nid(struct hotmem *hm, int *to_alloc, int *to_free);
int hotmem_hugetlb_set_next_nid(struct hotmem *hm, int to_alloc, int to_free);
/*
 * The 2 MiB hstate's nr_overcommit_hugepages (6.12 h->nr_overcommit_huge_pages):
 * how many surplus huge pages faults may add past the pool.  Kept and
 * shown; nothing faults a huge page in here, so none is ever added.
 */
unsigned long hotmem_hugetlb_overcommit(struct hotmem *hm);
void hotmem_hugetlb_set_overcommit(struct hotmem *hm, unsigned long nr);
/*
 * vm.hugetlb_optimize_vmemmap (6.12 mm/hugetlb_vmemmap.c
 * vmemmap_optimize_enabled; hugetlb_free_vmemmap= at boot): whether a
 * huge page the pool takes from now on has its vmemmap optimised.  A
 * page optimised stays so until it leaves the pool (freed or dissolved:
 * its vmemmap restored whatever the switch says then), one that is not
 * is never optimised later.  Lock-free, as the kernel's proc_dobool():
 * a growth under way reads it once for each page it takes.
 */
bool hotmem_hugetlb_optimize_vmemmap(struct hotmem *hm);
void hotmem_set_hugetlb_optimize_vmemmap(struct hotmem *hm, bool on);

/*
 * vm.user_reserve_kbytes and vm.admin_reserve_kbytes (6.12 mm/mmap.c):
 * set at boot to 1/32 of the free memory, at most 128 MiB and 8 MiB;
 * reserve_mem_notifier() computes a value below that maximum (not 0)
 * again as memory comes online, and resets one above the free memory as
 * memory goes offline ("mmap: vm.user_reserve_kbytes reset to N").  Any
 * value may be set (the sysctls' proc_doulongvec_minmax() has no bounds).
 * Lock-free: neither waits behind a hotplug operation.
 */
unsigned long hotmem_user_reserve_kbytes(struct hotmem *hm);
unsigned long hotmem_admin_reserve_kbytes(struct hotmem *hm);
void hotmem_set_user_reserve_kbytes(struct hotmem *hm, unsigned long kbytes);
void hotmem_set_admin_reserve_kbytes(struct hotmem *hm, unsigned long kbytes);

/* ------------------------------------------------------------------ */
/* Fault injection (tests, fuzzing)                                    */
/* ------------------------------------------------------------------ */

/*
 * Fail the @nth (1-based) engine allocation from now with ENOMEM; 0
 * disables.  hotmem_alloc_calls() counts allocation sites passed.
 */
void hotmem_fail_nth_alloc(struct hotmem *hm, unsigned long nth);
unsigned long hotmem_alloc_calls(struct hotmem *hm);
/*
 * The allocations still to pass before hotmem_fail_nth_alloc()'s fails,
 * counting it: 0 when none is armed or it was reached (fired)
 */
unsigned long hotmem_fail_nth_pending(struct hotmem *hm);
/*
 * The failures hotmem_fail_nth_alloc() forced so far: a front end that
 * sees it grow across an operation says the failure was injected (each is
 * in the log as the kernel's "FAULT_INJECTION: forcing a failure.").
 */
unsigned long hotmem_fault_injected(struct hotmem *hm);
/*
 * The virtio-mem device answers the next @count plug (@plug) or unplug
 * requests of its driver's runs with @resp (QEMU's, uapi/linux/virtio_mem.h),
 * then as before; @count 0 clears.  What a host gives: BUSY while
 * migrating or when its memory backend cannot preallocate, ERROR for a
 * request it finds invalid, NACK for a plug it does not want now.  The
 * driver maps them as 6.12 does: a plug's NACK -EAGAIN (it starts over),
 * BUSY -ETXTBSY (its retry timer), ERROR -EINVAL (it marks the device
 * broken); an unplug's NACK -ENOMEM.  -EINVAL for another @resp.
 */
#define HM_VIRTIO_MEM_RESP_ACK		0
#define HM_VIRTIO_MEM_RESP_NACK		1
#define HM_VIRTIO_MEM_RESP_BUSY		2
#define HM_VIRTIO_MEM_RESP_ERROR	3
int hotmem_virtio_mem_inject_response(struct hotmem_virtio_mem *vm, bool plug, int resp,
				      unsigned int count);

/*
 * /proc/kpageflags and /proc/kpagecount (6.12 fs/proc/page.c
 * kpageflags_read(), kpagecount_read()): one 64-bit entry a pfn, @nr of
 * them from @pfn into @out.  kpageflags: stable_page_flags(), the
 * HM_KPF_* bits below; KPF_NOPAGE for a pfn without an online page
 * (pfn_to_online_page(): no memory there, or its block offline).
 * kpagecount: the page's mapcount.  Returns how many were filled: fewer
 * than @nr where the file ends, round_up(max_pfn, PAGES_PER_SECTION)
 * (max_pfn: the end of boot RAM, raised by each add, never lowered by the
 * kernel; hotmemfs's undo of an unacknowledged add takes its raise back:
 * hotmem_set_max_pfn()), 0 from there on.  Lock-free on the pages, as
 * the kernel's: a block going offline meanwhile is read as it is, racily;
 * an online waits for the read of its block.  A free buddy block's or
 * free huge page's tails are said from their head, without reading their
 * struct pages.
 */
long hotmem_kpageflags(struct hotmem *hm, uint64_t pfn, size_t nr, uint64_t *out);
long hotmem_kpagecount(struct hotmem *hm, uint64_t pfn, size_t nr, uint64_t *out);
/*
 * x86's max_pfn, where the files above end (before the round_up).  Never
 * lowered by the kernel, as 6.12's; hotmemfs's undo of an unacknowledged
 * add takes its raise back (hotmem_set_max_pfn(), below).
 * hotmem_raise_max_pfn() only raises it: a state file's restore, after
 * its devices, raises it to what it was, past the end of a device
 * removed before the restart (whose add raised it).  -EINVAL past the
 * emulated address space (maxmem), which no add reaches; a lower @pfn
 * leaves it as it is.
 */
unsigned long hotmem_max_pfn(struct hotmem *hm);
int hotmem_raise_max_pfn(struct hotmem *hm, unsigned long pfn);
/*
 * max_pfn set to @pfn, lower too: an undo's, for an add that was never
 * acknowledged (hotmemfs's state file could not save it).  Never below
 * memory that is present: past @pfn's section, to the end of the highest
 * present section (an add the undo could not take back stays).  -EINVAL
 * past maxmem.
 */
int hotmem_set_max_pfn(struct hotmem *hm, unsigned long pfn);
/* Bits of a kpageflags entry: include/uapi/linux/kernel-page-flags.h, then the kernel-hacking ones */
#define HM_KPF_LOCKED		0
#define HM_KPF_UPTODATE		3
#define HM_KPF_DIRTY		4
#define HM_KPF_LRU		5
#define HM_KPF_ACTIVE		6
#define HM_KPF_SLAB		7
#define HM_KPF_BUDDY		10
#define HM_KPF_MMAP		11
#define HM_KPF_ANON		12
#define HM_KPF_SWAPBACKED	14
#define HM_KPF_COMPOUND_HEAD	15
#define HM_KPF_COMPOUND_TAIL	16
#define HM_KPF_HUGE		17
#define HM_KPF_HWPOISON		19
#define HM_KPF_NOPAGE		20
#define HM_KPF_KSM		21
#define HM_KPF_OFFLINE		23
#define HM_KPF_PGTABLE		26
#define HM_KPF_RESERVED		32
#define HM_KPF_OWNER_2		34
#define HM_KPF_OWNER_PRIVATE	37

/* ------------------------------------------------------------------ */
/* Introspection for tests                                             */
/* ------------------------------------------------------------------ */

/* Check every invariant; 0 or -EUCLEAN with @err saying which broke. */
int hotmem_check_invariants(struct hotmem *hm, char *err, size_t errlen);
/*
 * Raw page access for tests: flags word of pfn's struct page.  -EINVAL
 * without a memmap, -ENOMEM while the host leaves it unmapped (a refused
 * HugeTLB undo; hotmem_alloc_page_at() refuses such a pfn the same way).
 * Safe beside an add or a removal of the pfn's memory: it holds
 * get_online_mems() (mem_hotplug_lock for reading), so it waits for an
 * add, remove, online or offline under way -- except in a hotmem_subscribe()
 * callback run by that operation's own thread or by a thread working for
 * it (memmap init, the batch prefetcher), which takes nothing.
 */
int hotmem_page_flags(struct hotmem *hm, uint64_t pfn, unsigned long *flags);
/* Bit numbers in the flags word (page-flags.h subset). */
#define HM_PG_reserved		0
#define HM_PG_buddy		1
#define HM_PG_vmemmap_self_hosted 2
#define HM_PG_offline		3
#define HM_PG_movable		4
#define HM_PG_head		5
#define HM_PG_hugetlb		6
#define HM_PG_isolated		7
#define HM_PG_hwpoison		10
/*
 * Pointer to the struct page of @pfn in the vmemmap window (tests); NULL
 * with errno as above.  Checked under get_online_mems(); the pointer is
 * valid until the pfn's memory is removed (its memmap goes with it): a
 * caller that reads it beside a removal of that memory must order the two.
 */
void *hotmem_pfn_to_page(struct hotmem *hm, uint64_t pfn);
/*
 * Pointer to the direct map of physical address @phys (tests).  The first
 * call fills every self-hosted memmap's holes and ends them for the
 * machine's life (its host memory: 2 MiB a section), since the pointer
 * may read any memmap through the direct map; that call takes
 * device_hotplug_lock: never make it from a notifier or a
 * hotmem_subscribe() callback.  NULL (errno ENOMEM) when the host gives
 * no memory to fill them: the holes stay, a later call tries again.
 */
void *hotmem_phys_to_virt(struct hotmem *hm, uint64_t phys);
/* Is a section present/online; is its vmemmap PMD-mapped (huge)? */
int hotmem_section_state(struct hotmem *hm, unsigned long section_nr,
			 bool *present, bool *online, bool *huge_vmemmap,
			 bool *early);
/* One-paragraph summary of the machine (make run, hotmemctl status). */
int hotmem_summary(struct hotmem *hm, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* HOTMEM_H */
