// SPDX-License-Identifier: GPL-2.0
/*
 * The machine: built-in profiles, profile files and the kernel command line.
 *
 * Parameter names and accepted spellings follow the kernel's own
 * (mm/memory_hotplug.c, mm/hugetlb_vmemmap.c).  Where the kernel would
 * warn and carry on with a default, we refuse with a message naming the
 * setting: a test machine that silently differs from what was asked for
 * is worse than one that does not boot.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "uapi/hmuapi.h"

/* a bad config line: said in @err, -EINVAL */
#define seterr(err, errlen, ...) hm_seterr(-EINVAL, err, errlen, __VA_ARGS__)

/* a value with one of the kernel's blanks in it (one next_arg() took in quotes) */
static bool has_blank(const char *val)
{
	for (; *val; val++)
		if (hotmem_cmdline_isspace((unsigned char)*val))
			return true;
	return false;
}

int hm_param_err(char *err, size_t errlen, const char *name, const char *val,
		 const char *fmt, ...)
{
	const char *q = val && has_blank(val) ? "\"" : "";
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return seterr(err, errlen, "%s=%s%s%s: %s", name, q, val ? val : "", q, why);
}

/* lib/cmdline.c memparse(): libhmuapi's, the one the control socket uses */
int hotmem_memparse(const char *s, uint64_t *out)
{
	return hmu_memparse(s, out);
}

static void add_range(struct hotmem_config *cfg, uint64_t start, uint64_t end,
		      int nid)
{
	struct hm_boot_range *r = &cfg->boot[cfg->nr_boot_ranges++];

	r->start = start;
	r->end = end;
	r->nid = nid;
}

static void config_common(struct hotmem_config *cfg, const char *name)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->name, sizeof(cfg->name), "%s", name);
	cfg->block_size = 128ULL << 20;
	cfg->max_physmem_bits = 46;
	cfg->maxmem = 64ULL << 30;
	cfg->nr_possible_nodes = 1;
	cfg->init_threads = 2;
	/* a profile that does not say: as many DIMM slots as QEMU allows */
	cfg->ram_slots = HM_ACPI_MAX_RAM_SLOTS;
	cfg->memhp_default_online_type = HM_MMOP_OFFLINE;
	cfg->memmap_on_memory = HM_MEMMAP_ON_MEMORY_DISABLE;
	cfg->online_policy = HM_ONLINE_POLICY_CONTIG_ZONES;
	cfg->auto_movable_ratio = 301;
	cfg->auto_movable_numa_aware = true;
	cfg->virtio_mem_unplug_online = true;
	cfg->hugetlb_free_vmemmap = false;
	/* a machine is a running kernel unless told otherwise */
	cfg->kernel_alloc = HM_KERNEL_ALLOC_DEFAULT;
	cfg->kernel_alloc_seed = 1;
}

/* kernel_alloc's words, the parsers' and the description's */
static const char *const kernel_alloc_names[] = {
	[HM_KERNEL_ALLOC_OFF] = "off", [HM_KERNEL_ALLOC_DEFAULT] = "default",
	[HM_KERNEL_ALLOC_HEAVY] = "heavy",
};

/* memory_hotplug.memmap_on_memory's words as its param_get_*() prints them */
static const char *const memmap_on_memory_names[] = {
	[HM_MEMMAP_ON_MEMORY_DISABLE] = "N", [HM_MEMMAP_ON_MEMORY_ENABLE] = "Y",
	[HM_MEMMAP_ON_MEMORY_FORCE] = "force",
};

/* @v's word in @names of @nr, "?" for none */
static const char *word_of(const char *const *names, size_t nr, int v)
{
	return v >= 0 && (size_t)v < nr && names[v] ? names[v] : "?";
}

const char *hotmem_memmap_on_memory_name(int mode)
{
	return word_of(memmap_on_memory_names, ARRAY_SIZE(memmap_on_memory_names), mode);
}

const char *hotmem_kernel_alloc_name(int kernel_alloc)
{
	return word_of(kernel_alloc_names, ARRAY_SIZE(kernel_alloc_names), kernel_alloc);
}

static int parse_kernel_alloc(const char *v)
{
	for (size_t i = 0; v && i < ARRAY_SIZE(kernel_alloc_names); i++)
		if (!strcmp(v, kernel_alloc_names[i]))
			return (int)i;
	return -EINVAL;
}

/*
 * x86 low memory as memblock keeps it: page 0 and 640K-1M are not RAM.
 * The firmware's e820 ends the first range inside a page (the reference
 * host's 0x9fbff, the EBDA above it); the kernel drops that partial page
 * (PFN_DOWN), so the pages are the same (DMA present 3998, as the
 * reference's zoneinfo) though /proc/iomem says 0x9efff, not 0x9fbff:
 * profile ranges are whole pages.
 */
static void add_low_ram(struct hotmem_config *cfg, uint64_t end, int nid)
{
	add_range(cfg, 0x1000, 0x9f000, nid);
	add_range(cfg, 0x100000, end, nid);
}

/* boot RAM's end, in whole memory blocks */
static uint64_t boot_ram_end(const struct hotmem_config *cfg)
{
	uint64_t top = 0;

	for (int i = 0; i < cfg->nr_boot_ranges; i++)
		if (cfg->boot[i].end > top)
			top = cfg->boot[i].end;
	return ALIGN(top, cfg->block_size);
}

/*
 * QEMU's ram_size from the firmware's table as QEMU 7.2 lays it out
 * (hw/i386/pc_piix.c, pc_q35.c: ram_size split at lowmem into
 * below_4g_mem_size and above_4g_mem_size; pc_memory_init()'s e820 has
 * [0, below_4g_mem_size) and [4 GiB, + above_4g_mem_size) RAM, and
 * SeaBIOS reserves its tables at the top of the first, 128 KiB in a
 * 6.12.117 guest's, tests/fixtures/boot-map/): the highest RAM end below
 * 4 GiB, carried over the reserved entries right after it, plus the RAM
 * above 4 GiB.  0 without such a top (not QEMU's layout).  The one rule:
 * a profile's e820 lines here, a dump's firmware table in hotmem profile
 * --from-sysfs (reread35 R8: each had its own copy).
 */
uint64_t hotmem_e820_qemu_ram_size(const struct hm_e820_entry *e820, int nr)
{
	uint64_t below = 0, above = 0, top;
	const uint64_t four_g = 1ULL << 32;
	int i, last = -1;

	for (i = 0; i < nr; i++) {
		const struct hm_e820_entry *e = &e820[i];

		if (!e->ram)
			continue;
		if (e->end <= four_g) {
			below = e->end;
			last = i;
		} else {
			above += e->end - max(e->start, four_g);
		}
	}
	top = below;
	for (i = last + 1; last >= 0 && i < nr; i++) {	/* in address order */
		if (e820[i].start != top || e820[i].ram || e820[i].end > four_g)
			break;
		top = e820[i].end;
	}
	return top > below ? top + above : 0;
}

/*
 * QEMU's ram_size: the firmware table's (hotmem_e820_qemu_ram_size()) where the
 * profile has QEMU's, so -m 500M is 500 MiB and not 4 whole blocks; else
 * the boot ranges' pages in whole memory blocks (the holes below 1 MiB
 * and the firmware's tables at its top are RAM to QEMU)
 */
static uint64_t qemu_ram_size(const struct hotmem_config *cfg)
{
	uint64_t sum = hotmem_e820_qemu_ram_size(cfg->e820, cfg->nr_e820);

	if (sum)
		return sum;
	for (int i = 0; i < cfg->nr_boot_ranges; i++)
		sum += cfg->boot[i].end - cfg->boot[i].start;
	return ALIGN(sum, cfg->block_size);
}

/*
 * QEMU's device memory (QEMU 7.2 pc_memory_init(), 8.2+
 * pc_get_device_memory_range(); the same figures in 9.2), not cut:
 * from ROUND_UP(4 GiB + RAM above 4 GiB, 1 GiB) -- the 32-bit PCI hole
 * below 4 GiB takes no device -- maxram_size - ram_size long plus 1 GiB a
 * slot (enforce_aligned_dimm, every machine since pc-2.2: room for each
 * device's alignment).  *@total: what memory_device_check_addable()
 * lets all devices take, maxram_size - ram_size.  A profile without
 * qemu_maxmem has QEMU's maxmem at maxmem - base (before 2026-12-03
 * qemu-512m said maxmem = 4 GiB + its -m maxmem=4G).
 */
static void qemu_device_memory(const struct hotmem_config *cfg, uint64_t *base, uint64_t *size,
			       uint64_t *total)
{
	const uint64_t gib = 1ULL << 30;
	uint64_t ram = qemu_ram_size(cfg), maxram;

	*base = max(ALIGN(boot_ram_end(cfg), gib), 4 * gib);
	maxram = cfg->qemu_maxmem ? cfg->qemu_maxmem : cfg->maxmem > *base ? cfg->maxmem - *base : 0;
	*total = maxram > ram ? maxram - ram : 0;
	/* QEMU makes the region only when ram_size < maxram_size */
	*size = *total ? *total + cfg->ram_slots * gib : 0;
}

/*
 * Where a device_memory = qemu profile's physical addresses end when no
 * line says maxmem: its device-memory region's end, in whole memory
 * blocks -- QEMU's highest hot-pluggable address + 1
 */
static uint64_t qemu_device_memory_end(const struct hotmem_config *cfg)
{
	uint64_t base, size, total;

	qemu_device_memory(cfg, &base, &size, &total);
	return ALIGN(base + size, cfg->block_size);
}

void hotmem_config_device_memory(const struct hotmem_config *cfg, uint64_t *base, uint64_t *end,
				 uint64_t *addable)
{
	uint64_t size;

	if (cfg->device_memory_qemu) {
		qemu_device_memory(cfg, base, &size, addable);
		*end = *base + size;
	} else {
		/* no QEMU pc/q35: right above boot RAM, to maxmem, all of it for devices */
		*base = boot_ram_end(cfg);
		*end = cfg->maxmem;
	}
	/* the emulator's memory ends at maxmem (and MAX_PHYSMEM_BITS): a region past it is cut */
	*end = min(*end, cfg->maxmem);
	if (cfg->max_physmem_bits < 64)
		*end = min(*end, 1ULL << cfg->max_physmem_bits);
	*end = max(*end, *base);
	if (!cfg->device_memory_qemu || *addable > *end - *base)
		*addable = *end - *base;
}

static void profile_default(struct hotmem_config *cfg)
{
	config_common(cfg, "default");
	add_low_ram(cfg, 1ULL << 30, 0);
	cfg->nr_possible_nodes = 2;
	cfg->device_memory_qemu = true;
}

/*
 * QEMU's pc machine with -m 512M ends its e820 RAM 128 KiB short of 512 MiB
 * (BIOS-e820: [mem 0x0000000000100000-0x000000001ffdffff] usable, then
 * 0x1ffe0000-0x1fffffff reserved for SeaBIOS's ACPI tables): the last
 * 32 pages of memory3 are a hole, so 6.12's offline_pages() refuses
 * memory3 with EINVAL "memory holes" and zoneinfo's DMA32 spans 126944.
 */
#define QEMU_E820_TABLES 0x20000ULL
#define QEMU_512M_RAM_END ((512ULL << 20) - QEMU_E820_TABLES)

static void add_e820(struct hotmem_config *cfg, uint64_t start, uint64_t end, bool ram)
{
	cfg->e820[cfg->nr_e820++] = (struct hm_e820_entry){ start, end, ram, HM_E820_PLAIN };
}

/*
 * QEMU's pc machine's e820 table as its guest logs it (the BIOS-e820
 * lines of Debian's 6.12.118 under QEMU 7.2 with SeaBIOS, 6.12.117's
 * the same, tests/fixtures/boot-map/): RAM below the EBDA (0x9fc00), the EBDA and
 * the BIOS area (0xf0000) reserved, RAM from 1 MiB to @ram_end, 128 KiB
 * short of QEMU's RAM below 4 GiB (SeaBIOS's tables), the BIOS flash
 * below 4 GiB, and the HyperTransport hole below 1 TiB that QEMU 7.1+'s
 * pc_memory_init() reserves for an AMD CPU (-cpu max under TCG is one).
 * The boot ranges are its RAM in whole pages (add_low_ram()).
 */
static void add_qemu_e820(struct hotmem_config *cfg, uint64_t ram_end)
{
	add_e820(cfg, 0, 0x9fc00, true);
	add_e820(cfg, 0x9fc00, 0xa0000, false);
	add_e820(cfg, 0xf0000, 0x100000, false);
	add_e820(cfg, 0x100000, ram_end, true);
	add_e820(cfg, ram_end, ram_end + QEMU_E820_TABLES, false);
	add_e820(cfg, 0xfffc0000ULL, 1ULL << 32, false);
	add_e820(cfg, 0xfd00000000ULL, 1ULL << 40, false);
}

/*
 * qemu-512m's boot reservations: a 6.12.118 guest's, the kernel
 * scripts/deps.sh fetches (tests/fixtures/boot-map/qemu-6.12.118-qemu-512m.txt
 * and its dmesg): the kernel image where that boot's KASLR put it
 * (/proc/iomem's Kernel lines; init, .smp_locks and .bss..decrypted
 * from the Debian vmlinux's sections at the same offset from _text, as
 * tests/kernel/diffwalk.py kernel_image_of() reads them), its initrd
 * ("RAMDISK: [mem 0x1fecd000-0x1ffdffff]"), the first MiB, SWIOTLB's
 * 64 MiB (its SRAT's hotplug range reaches 11.5 GiB) and the rest: the
 * Memory: line's 124872K reserved less the memmap, the image, the initrd,
 * the first MiB and SWIOTLB -- 1099 pages, 4396K: reserve_brk()'s 17
 * pages right after bss (brk, 68K: three KASLR boots of this 6.12.118
 * guest with memblock=debug reserved 17 pages at the page after __bss_stop
 * each time, as the nokaslr walk guest of tests/kernel/diffwalk.py did) and
 * 4328K of the rest, top-down (boot_reserved held the brk until
 * 2026-12-04: the same total, but movablecore=/kernelcore= then put those
 * 17 pages in ZONE_MOVABLE, not below the image).  Until 2026-12-04 these
 * were a 6.12.117 guest's (tests/fixtures/boot-map/qemu-6.12-qemu-512m.txt,
 * the same placement and reserved total): its rodata ended 4K sooner
 * (0xa570fff: 11716K, a rodata/data gap 4K longer), its data 64 bytes
 * sooner (0xa870f7f) and its init began 4K sooner (0xad01000: 4264K), so
 * its MemTotal was 8K more, 406860 kB (DMA32 managed 97875).
 */
static void qemu_512m_boot_reserve(struct hm_boot_reserve *br)
{
	br->kernel_image = true;
	br->code = (struct hm_phys_range){ 0x8a00000, 0x99fffff };
	br->rodata = (struct hm_phys_range){ 0x9a00000, 0xa571fff };
	br->data = (struct hm_phys_range){ 0xa600000, 0xa870fbf };
	br->init = (struct hm_phys_range){ 0xad02000, 0xb12afff };
	br->smp_locks = (struct hm_phys_range){ 0xb12b000, 0xb134fff };
	br->bss = (struct hm_phys_range){ 0xb136000, 0xb5fffff };
	br->bss_decrypted_unused = (struct hm_phys_range){ 0xb405000, 0xb5fffff };
	br->initrd = (struct hm_phys_range){ 0x1fecd000, 0x1ffdffff };
	br->realmode = true;
	br->swiotlb = 64ULL << 20;
	br->brk = 68ULL << 10;
	br->boot_reserved = 4328ULL << 10;
}

/*
 * the QEMU guest of tests/kernel/run_hotplug.py: -m 512M,slots=4,maxmem=4G,
 * Debian's 6.12 kernel: CONFIG_MEMORY_FAILURE=y, CONFIG_CRASH_HOTPLUG=y and
 * CONFIG_PM_ADVANCED_DEBUG=y (its memory/ listing,
 * tests/fixtures/acpi-memory/qemu-6.12-pc-dimm.txt, has soft_offline_page,
 * hard_offline_page and crash_hotplug, its power/ async ... runtime_usage)
 */
static void profile_qemu_512m(struct hotmem_config *cfg)
{
	config_common(cfg, "qemu-512m");
	add_low_ram(cfg, QEMU_512M_RAM_END, 0);
	add_qemu_e820(cfg, QEMU_512M_RAM_END);
	qemu_512m_boot_reserve(&cfg->boot_reserve);
	cfg->ram_slots = 4;
	cfg->device_memory_qemu = true;
	/* -m maxmem=4G: physical addresses end where QEMU's region does, 11.5 GiB */
	cfg->qemu_maxmem = 4ULL << 30;
	cfg->maxmem = qemu_device_memory_end(cfg);
	cfg->memory_failure = true;
	cfg->crash_hotplug = true;
	cfg->pm_advanced_debug = true;
}

/* the reference host: 24 GiB, no RAM at blocks 24-31 (32-bit PCI hole) */
static void profile_host_24g(struct hotmem_config *cfg)
{
	config_common(cfg, "host-24g");
	add_low_ram(cfg, 0xc0000000ULL, 0);
	add_range(cfg, 0x100000000ULL, 0x640000000ULL, 0);
	cfg->maxmem = 0x640000000ULL + (64ULL << 30);
}

static void profile_numa2(struct hotmem_config *cfg)
{
	config_common(cfg, "numa2");
	add_low_ram(cfg, 1ULL << 30, 0);
	add_range(cfg, 1ULL << 30, 2ULL << 30, 1);
	cfg->nr_possible_nodes = 4;
	cfg->device_memory_qemu = true;
}

/* a kdump-sized machine with 5-level paging (seed 000) */
static void profile_kdump_52bit(struct hotmem_config *cfg)
{
	config_common(cfg, "kdump-52bit");
	add_low_ram(cfg, 256ULL << 20, 0);
	cfg->max_physmem_bits = 52;
	cfg->maxmem = 1ULL << 40;
}

/* 64 TiB of 2 GiB blocks: 32768 memory blocks */
static void profile_huge_64t(struct hotmem_config *cfg)
{
	config_common(cfg, "huge-64t");
	cfg->block_size = 2ULL << 30;
	add_low_ram(cfg, 2ULL << 30, 0);
	cfg->maxmem = 1ULL << 46;
	cfg->memmap_on_memory = HM_MEMMAP_ON_MEMORY_ENABLE;
}

/*
 * The built-in profiles, one list: the table hotmem_config_builtin() looks
 * a name up in and the names and one-line descriptions
 * hotmem_config_builtin_names()/_description() give (--list-profiles,
 * hotmemfs --help) are all made from it.  Each row of docs/profile.md's
 * table starts with the description (tests/engine/list-profiles.t).
 */
#define BUILTIN_PROFILES(X)                                                                        \
	X("default", profile_default,                                                              \
	  "1 GiB on node 0, 2 possible nodes, 128 MiB blocks, 46-bit, maxmem 64 GiB")              \
	X("qemu-512m", profile_qemu_512m,                                                          \
	  "the QEMU guest of tests/kernel/: -m 512M,maxmem=4G, DIMMs from 4 GiB, memory_failure, " \
	  "crash_hotplug and pm_advanced_debug as its Debian 6.12 kernel; auto_online_blocks "     \
	  "offline where that kernel boots online (memhp_default_state=online boots as it does)")  \
	X("host-24g", profile_host_24g,                                                            \
	  "the reference host of tests/fixtures/reference/: 24 GiB, no RAM at blocks 24-31")       \
	X("numa2", profile_numa2, "1 GiB on each of nodes 0 and 1, 4 possible nodes")              \
	X("kdump-52bit", profile_kdump_52bit,                                                      \
	  "256 MiB with 5-level paging (MAX_PHYSMEM_BITS 52), maxmem 1 TiB")                       \
	X("huge-64t", profile_huge_64t,                                                            \
	  "2 GiB blocks, maxmem 64 TiB, memmap_on_memory on: ~2.5 MiB of host memory per online block")

#define PROFILE_ENTRY(name, fill, desc) { name, fill, desc },
#define PROFILE_NAME(name, fill, desc) name,
/* a profile without its line is a build error, not a blank in --list-profiles */
#define PROFILE_HAS_DESC(name, fill, desc) _Static_assert(sizeof(desc) > 1, name ": no description");

BUILTIN_PROFILES(PROFILE_HAS_DESC)

static const struct {
	const char *name;
	void (*fill)(struct hotmem_config *cfg);
	const char *desc;
} builtin_profiles[] = { BUILTIN_PROFILES(PROFILE_ENTRY) };

static const char *const builtin_names[] = { BUILTIN_PROFILES(PROFILE_NAME) NULL };

const char *const *hotmem_config_builtin_names(void)
{
	return builtin_names;
}

/* one line each, the names in a column: what a user picks a machine from */
void hotmem_config_list_builtins(const char *indent, void (*line)(const char *text, void *arg),
				 void *arg)
{
	char text[512]; /* a description whole: 256 cut qemu-512m's (user42 U7) */
	int w = 0;

	for (size_t i = 0; i < ARRAY_SIZE(builtin_profiles); i++)
		if ((int)strlen(builtin_profiles[i].name) > w)
			w = (int)strlen(builtin_profiles[i].name);
	for (size_t i = 0; i < ARRAY_SIZE(builtin_profiles); i++) {
		snprintf(text, sizeof(text), "%s%-*s  %s\n", indent, w, builtin_profiles[i].name,
			 builtin_profiles[i].desc);
		line(text, arg);
	}
}

void hotmem_config_default(struct hotmem_config *cfg)
{
	profile_default(cfg);
	snprintf(cfg->base, sizeof(cfg->base), "default");
}

int hotmem_config_builtin(struct hotmem_config *cfg, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(builtin_profiles); i++) {
		if (!strcmp(builtin_profiles[i].name, name)) {
			builtin_profiles[i].fill(cfg);
			snprintf(cfg->base, sizeof(cfg->base), "%s", name);
			return 0;
		}
	}
	return -ENOENT;
}

/* ------------------------------------------------------------------ */
/* kernel command line                                                 */
/* ------------------------------------------------------------------ */

/*
 * A profile's numbers: a node=N (ram, hotplug, virtio_mem lines) and a
 * count (nodes, slots, max_physmem_bits, init_threads, kernel_alloc_seed)
 * are decimal, as its distance and cpu_nodes lines read a node and sysfs's
 * nodeN names it (the kernel's kstrtouint(buf, 10)), no sign; a leading 0
 * pads.  param_uint() is the command line's, a module parameter's
 * kstrtouint(val, 0): there "010" is octal 8 and "0x1" hex, which made
 * "node=010" node 8 and "nodes = 010" eight nodes here too.
 */
static int parse_decimal(const char *v, unsigned int *out)
{
	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	/* kstrtouint()'s errno: -ERANGE past unsigned int, else -EINVAL */
	return hmu_kstrtouint(v, 10, out);
}

/* a boolean parameter, as kstrtobool() takes it: @what is said when it is not one */
/*
 * A bool parameter.  A module's (module_param(name, bool, ...):
 * param_ops_bool, KERNEL_PARAM_OPS_FL_NOARG; 6.12's kernel/params.c
 * parse_one() passes no value, param_set_bool() takes it as "1") is true
 * bare (@noarg); an early_param's kstrtobool() refuses a missing value.
 */
static int param_bool(const char *key, const char *val, bool noarg, bool *out,
		      const char *what, char *err, size_t errlen)
{
	if (!val && noarg) {
		*out = true;
		return 0;
	}
	if (!val || hmu_kstrtobool(val, out))
		return hm_param_err(err, errlen, key, val, "expected %s", what);
	return 0;
}

/*
 * virtio_mem.bbm_block_size= (module_param(bbm_block_size, ulong, 0444):
 * param_set_ulong(), kstrtoul(val, 0)): any unsigned long, as the
 * kernel's.  What a device makes of it is its probe's business
 * (virtio_mem_init_hotplug(), 6.12): a size that is not a power of 2, or
 * too small, is warned about there and the driver keeps its own -- the
 * machine boots (it was refused here, which no kernel does).
 */
static int param_bbm_block_size(struct hotmem_config *cfg, const char *key, const char *val,
				char *err, size_t errlen)
{
	unsigned long long v;

	if (!val || hmu_kstrtoull(val, 0, &v))
		return hm_param_err(err, errlen, key, val,
				 "expected an unsigned number of bytes (0: the driver's choice)");
	cfg->virtio_mem_bbm_block_size = v;
	return 0;
}

/* a parameter of named values: @t what @val names, < 0 for none of @expected */
static int param_choice(const char *name, const char *val, int t, const char *expected, int *out,
			char *err, size_t errlen)
{
	if (t < 0)
		return hm_param_err(err, errlen, name, val, "expected %s", expected);
	*out = t;
	return 0;
}

static int param_memhp_default_state(struct hotmem_config *cfg, const char *key, const char *val,
				     char *err, size_t errlen)
{
	(void)key;
	return param_choice("memhp_default_state", val, val ? hmu_online_type_from_str(val) : -EINVAL,
			    "offline, online, online_kernel or online_movable",
			    &cfg->memhp_default_online_type, err, errlen);
}

/*
 * 6.12 early_param("movable_node", cmdline_parse_movable_node): sets
 * movable_node_enabled and never reads its argument, so "movable_node=0"
 * turns it ON as the bare name does (it was refused here; abuse30a C3).
 */
static int param_movable_node(struct hotmem_config *cfg, const char *key, const char *val,
			      char *err, size_t errlen)
{
	(void)key;
	(void)val;
	(void)err;
	(void)errlen;
	cfg->movable_node = true;
	return 0;
}

/*
 * cmdline_parse_core() (6.12 mm/mm_init.c): a percentage of all boot
 * memory ("10%"), else a size (memparse(), pages from here on; a size
 * clears a percentage given before).  The kernel takes what its parsers
 * take and ignores the rest of the word, and only WARNs at a percentage
 * over 100; hotmem refuses both, a typo booting another machine.
 */
static int cmdline_parse_core(const char *name, const char *val, unsigned long *core,
			      unsigned long *percent, char *err, size_t errlen)
{
	unsigned long long v;
	const char *end;

	if (!val || !*val)
		return seterr(err, errlen, "%s takes a size (256M) or a percentage (10%%)", name);
	v = hmu_simple_strtoull(val, &end, 0);
	if (end != val && *end == '%' && !end[1]) {
		if (v > 100)
			return hm_param_err(err, errlen, name, val,
					 "more than 100%% (6.12 WARNs in cmdline_parse_core())");
		*percent = (unsigned long)v;
		return 0;
	}
	v = hmu_memparse_end(val, &end);
	if (end == val || *end)
		return hm_param_err(err, errlen, name, val,
				 "expected a size (256M) or a percentage (10%%)");
	*core = (unsigned long)(v >> HM_PAGE_SHIFT);
	*percent = 0;
	return 0;
}

/* cmdline_parse_kernelcore(): "mirror" asks for mirrored memory, which no machine here has */
static int param_kernelcore(struct hotmem_config *cfg, const char *key, const char *val,
			    char *err, size_t errlen)
{
	(void)key;
	if (val && !strcmp(val, "mirror"))
		return seterr(err, errlen,
			      "kernelcore=mirror: hotmem models no mirrored memory (EFI_MEMORY_MORE_RELIABLE); "
			      "give kernelcore= a size or a percentage");
	return cmdline_parse_core("kernelcore", val, &cfg->required_kernelcore,
				  &cfg->required_kernelcore_percent, err, errlen);
}

static int param_movablecore(struct hotmem_config *cfg, const char *key, const char *val,
			     char *err, size_t errlen)
{
	(void)key;
	return cmdline_parse_core("movablecore", val, &cfg->required_movablecore,
				  &cfg->required_movablecore_percent, err, errlen);
}

static int param_memmap_on_memory(struct hotmem_config *cfg, const char *key, const char *val,
				  char *err, size_t errlen)
{
	bool b;

	(void)key;
	/* 6.12 set_memmap_mode(): sysfs_streq() against "force" and "FORCE", else kstrtobool() */
	if (val && (hmu_sysfs_streq(val, "force") || hmu_sysfs_streq(val, "FORCE")))
		cfg->memmap_on_memory = HM_MEMMAP_ON_MEMORY_FORCE;
	else if (val && !hmu_kstrtobool(val, &b))
		cfg->memmap_on_memory = b ? HM_MEMMAP_ON_MEMORY_ENABLE : HM_MEMMAP_ON_MEMORY_DISABLE;
	else
		return hm_param_err(err, errlen, "memory_hotplug.memmap_on_memory", val,
				 "expected Y, N or force");
	return 0;
}

static int param_online_policy(struct hotmem_config *cfg, const char *key, const char *val,
			       char *err, size_t errlen)
{
	(void)key;
	return param_choice("memory_hotplug.online_policy", val,
			    val ? hotmem_online_policy_from_str(val) : -EINVAL,
			    "contig-zones or auto-movable", &cfg->online_policy, err, errlen);
}

/*
 * An unsigned parameter (@positive: 0 refused too), the kernel's name in
 * the message: param_set_uint()'s kstrtouint(val, 0) -- one leading '+'
 * taken, as a sysfs write of the parameter takes it
 */
static int param_uint(const char *name, const char *val, bool positive, unsigned int *out,
		      char *err, size_t errlen)
{
	unsigned int u;

	if (!val || hmu_kstrtouint(val, 0, &u) || (positive && !u))
		return hm_param_err(err, errlen, name, val, "expected %s",
				 positive ? "a positive integer" : "an unsigned integer");
	*out = u;
	return 0;
}

static int param_auto_movable_ratio(struct hotmem_config *cfg, const char *key, const char *val,
				    char *err, size_t errlen)
{
	(void)key;
	return param_uint("memory_hotplug.auto_movable_ratio", val, false, &cfg->auto_movable_ratio,
			  err, errlen);
}

static int param_auto_movable_numa_aware(struct hotmem_config *cfg, const char *key,
					 const char *val, char *err, size_t errlen)
{
	return param_bool(key, val, true, &cfg->auto_movable_numa_aware, "a boolean", err, errlen);
}

/*
 * 6.12 mm/hugetlb_vmemmap.c core_param(hugetlb_free_vmemmap, ..., bool, 0):
 * param_set_bool(), the bare name on (KERNEL_PARAM_OPS_FL_NOARG; abuse30a C3)
 */
static int param_hugetlb_free_vmemmap(struct hotmem_config *cfg, const char *key, const char *val,
				      char *err, size_t errlen)
{
	return param_bool(key, val, true, &cfg->hugetlb_free_vmemmap, "on or off", err, errlen);
}

static int param_unplug_online(struct hotmem_config *cfg, const char *key, const char *val,
			       char *err, size_t errlen)
{
	return param_bool(key, val, true, &cfg->virtio_mem_unplug_online, "a boolean", err, errlen);
}

static int param_force_bbm(struct hotmem_config *cfg, const char *key, const char *val, char *err,
			   size_t errlen)
{
	return param_bool(key, val, true, &cfg->virtio_mem_force_bbm, "a boolean", err, errlen);
}

static int param_kernel_alloc(struct hotmem_config *cfg, const char *key, const char *val,
			      char *err, size_t errlen)
{
	(void)key;
	return param_choice("hotmem.kernel_alloc", val, parse_kernel_alloc(val),
			    "off, default or heavy", &cfg->kernel_alloc, err, errlen);
}

static int param_kernel_alloc_seed(struct hotmem_config *cfg, const char *key, const char *val,
				   char *err, size_t errlen)
{
	unsigned int seed = 0;
	int ret;

	(void)key;
	ret = param_uint("hotmem.kernel_alloc_seed", val, false, &seed, err, errlen);
	if (!ret)
		cfg->kernel_alloc_seed = seed;
	return ret;
}

/* host memory an online writing a memmap leaves available (physmem.c host_memory_room()) */
static int param_host_reserve(struct hotmem_config *cfg, const char *key, const char *val,
			      char *err, size_t errlen)
{
	uint64_t v;

	(void)key;
	if (!val || hotmem_memparse(val, &v))
		return hm_param_err(err, errlen, "hotmem.host_reserve", val,
				 "expected a size (0: no check)");
	cfg->host_reserve = v;
	cfg->host_reserve_given = true;
	return 0;
}

/* a lower cap on host mappings than vm.max_map_count, to test it */
static int param_max_map_count(struct hotmem_config *cfg, const char *key, const char *val,
			       char *err, size_t errlen)
{
	unsigned int n = 0;
	int ret;

	(void)key;
	ret = param_uint("hotmem.max_map_count", val, true, &n, err, errlen);
	if (!ret)
		cfg->host_max_map_count = n;
	return ret;
}

/*
 * The command-line parameters we model, by the kernel's names: the one
 * list the parser, and the message naming a module's parameters
 * (cmdline_unknown()), read.  A dotted name is a module's (module.name),
 * hotmem. the emulator's own (not a kernel module), which follows the
 * same rule; each module's names stand together, in the order said.
 */
static const struct param_def {
	const char *name;	/* first: param_lookup() */
	int (*set)(struct hotmem_config *cfg, const char *key, const char *val, char *err,
		   size_t errlen);
} cmdline_params[] = {
	{ "memhp_default_state", param_memhp_default_state },
	{ "movable_node", param_movable_node },
	{ "kernelcore", param_kernelcore },
	{ "movablecore", param_movablecore },
	{ "memory_hotplug.memmap_on_memory", param_memmap_on_memory },
	{ "memory_hotplug.online_policy", param_online_policy },
	{ "memory_hotplug.auto_movable_ratio", param_auto_movable_ratio },
	{ "memory_hotplug.auto_movable_numa_aware", param_auto_movable_numa_aware },
	{ "hugetlb_free_vmemmap", param_hugetlb_free_vmemmap },
	{ "hugepages", param_hugepages },		/* hugetlb_cmdline.c */
	{ "hugepagesz", param_hugepagesz },
	{ "default_hugepagesz", param_default_hugepagesz },
	{ "virtio_mem.unplug_online", param_unplug_online },
	{ "virtio_mem.force_bbm", param_force_bbm },
	{ "virtio_mem.bbm_block_size", param_bbm_block_size },
	{ "hotmem.kernel_alloc", param_kernel_alloc },
	{ "hotmem.kernel_alloc_seed", param_kernel_alloc_seed },
	{ "hotmem.max_map_count", param_max_map_count },
	{ "hotmem.host_reserve", param_host_reserve },
};

/*
 * The entry of a table of parameters (its entries' first member their
 * name, or the name alone) that @name names, as the kernel compares
 * (hmu_parameq()); NULL for none.  One loop for every table of names.
 */
static const void *param_table_lookup(const char *name, const void *table, size_t nr,
				      size_t size)
{
	for (size_t i = 0; i < nr; i++) {
		const void *entry = (const char *)table + i * size;

		if (hmu_parameq(name, *(const char *const *)entry))
			return entry;
	}
	return NULL;
}
#define param_lookup(name, table) \
	param_table_lookup(name, table, ARRAY_SIZE(table), sizeof((table)[0]))

/* the length of @name's module prefix with its '.', 0 for an undotted name */
static size_t module_prefix_len(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? (size_t)(dot - name) + 1 : 0;
}

/* "memmap_on_memory, online_policy, ...": the parameters of the module of @prefix_len chars of @module */
static void module_params(const char *module, size_t prefix_len, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(cmdline_params) && n < len; i++) {
		const char *name = cmdline_params[i].name;

		if (module_prefix_len(name) == prefix_len && !strncmp(name, module, prefix_len))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
					      name + prefix_len);
	}
}

/*
 * A name under a module prefix that is none of that module's: refused, for
 * every module alike.  The kernel ignores it without a word (6.12,
 * init/main.c unknown_bootoption(): a dotted name is an "Unused module
 * parameter", left to modprobe; it is not even among the "Unknown kernel
 * command line parameters" it prints, those are the undotted ones it
 * passes to init).  A misspelt setting silently ignored boots another
 * machine than the one asked for -- the worst outcome for a test machine
 * -- so hotmem refuses it and names the module's parameters.  0 for a
 * name of no module we model: not ours, it passes as to init.
 */
static int cmdline_unknown(const char *key, char *err, size_t errlen)
{
	char known[256];

	for (size_t i = 0; i < ARRAY_SIZE(cmdline_params); i++) {
		const char *module = cmdline_params[i].name;
		size_t n = module_prefix_len(module);

		if (!n || !hmu_parameqn(key, module, n))
			continue;
		module_params(module, n, known, sizeof(known));
		return seterr(err, errlen,
			      "%s: unknown %.*s parameter (known: %s): the kernel would "
			      "ignore it, hotmem refuses it",
			      key, (int)n - 1, module, known);
	}
	return 0;
}

/*
 * Parameters with which 6.12 boots another memory layout than the
 * profile's, and which hotmem does not model: refused, for the reason a
 * misspelt memory_hotplug.* name is (cmdline_unknown()) -- passed with a
 * note, hotmem would boot the profile's machine and claim it is the one
 * the line asks for.  kernelcore= and movablecore= are not here: their
 * own code.  Each says what the kernel does and what a profile can say
 * instead.
 */
static const struct layout_param {
	const char *name;	/* first: param_lookup() */
	const char *kernel;	/* what 6.12 does with it */
	const char *instead;	/* how a profile says it, or that it cannot */
} layout_params[] = {
	{ "mem", "limits the RAM it uses to that size (x86 parse_memopt())",
	  "give the profile's ram = ranges that size" },
	{ "memmap", "adds, reserves or removes e820 ranges (x86 parse_memmap_one())",
	  "give the profile's ram = ranges as that e820 map" },
	{ "cma", "reserves a CMA area from boot memory (MIGRATE_CMA pageblocks, "
	  "kernel/dma/contiguous.c early_cma())", "hotmem models no CMA" },
	{ "hugetlb_cma", "reserves a CMA area on each node for gigantic pages "
	  "(mm/hugetlb.c cmdline_parse_hugetlb_cma())", "hotmem models no CMA" },
	{ "crashkernel", "reserves boot memory for a kdump kernel (reserve_crashkernel())",
	  "hotmem models no crash kernel reservation" },
	{ "numa", "boots other NUMA nodes than the firmware's (off: one; fake=: split ones; "
	  "x86 numa_setup())", "give the profile's nodes" },
};

static int cmdline_layout(const struct layout_param *l, const char *key, const char *val,
			  char *err, size_t errlen)
{
	return seterr(err, errlen,
		      "%s%s%s: 6.12 %s; hotmem does not model it and would boot the profile's "
		      "memory as it is: hotmem refuses it (%s)", key, val ? "=" : "",
		      val ? val : "", l->kernel, l->instead);
}

/*
 * Names compare as the kernel's do (Linux 6.12, kernel/params.c parameq(),
 * init/main.c do_early_param() and obsolete_checksetup()): '-' and '_' are
 * one letter, so memhp-default-state=online and
 * memory_hotplug.auto-movable-ratio=50 are the kernel's names; values are
 * not folded.  An unknown name of a module we model: cmdline_unknown().
 * Names of no prefix we model are not ours and pass, as they pass to init.
 */
static int cmdline_param(struct hotmem_config *cfg, const char *key,
			 const char *val, char *err, size_t errlen)
{
	const struct param_def *p = param_lookup(key, cmdline_params);
	const struct layout_param *l = param_lookup(key, layout_params);

	if (l)
		return cmdline_layout(l, key, val, err, errlen);
	return p ? p->set(cfg, key, val, err, errlen) : cmdline_unknown(key, err, errlen);
}

/*
 * 6.12 include/linux/ctype.h isspace(): lib/ctype.c _ctype[]'s _S entries,
 * the kernel's own table, not the C library's locale: '\t' to '\r', ' ',
 * and 0xa0 (Latin-1's no-break space, _S|_SP) -- a UTF-8 line's
 * "\xc2\xa0" ends a word there.  0x80-0x9f and the rest: none.
 */
static const bool kernel_ctype_space[256] = {
	['\t'] = true, ['\n'] = true, ['\v'] = true, ['\f'] = true, ['\r'] = true,
	[' '] = true, [0xa0] = true,
};

bool hotmem_cmdline_isspace(unsigned char c)
{
	return kernel_ctype_space[c];
}

/* 6.12 lib/string_helpers.c skip_spaces() */
static const char *skip_spaces(const char *s)
{
	while (hotmem_cmdline_isspace((unsigned char)*s))
		s++;
	return s;
}

/*
 * 6.12 lib/cmdline.c next_arg() on @args, one word already cut out (its
 * own copy): a '"' opens or closes a quote wherever it stands, there is
 * no escape for it; the split is at the word's first '=' (inside quotes
 * or not -- but not at its first byte, `equals` 0 meaning none, so "=a=b"
 * is param "=a"); a quote opening the value is dropped with the word's
 * last byte if that is a quote, and so is a quote opening the word, with
 * its last byte if a quote.  Every other quote stays: a=b"c d"e has the
 * value b"c d"e, "a=b c" is a = b c, a="b c" is a = b c.
 */
static void next_arg(char *args, char **param, char **val)
{
	bool in_quote = false, quoted = false;
	size_t i, equals = 0;

	if (*args == '"') {
		args++;
		in_quote = quoted = true;
	}
	for (i = 0; args[i]; i++) {
		if (hotmem_cmdline_isspace((unsigned char)args[i]) && !in_quote)
			break;
		if (!equals && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	*param = args;
	*val = NULL;
	if (equals) {
		args[equals] = '\0';
		*val = args + equals + 1;
		if (**val == '"') {
			(*val)++;
			if (args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';
	args[i] = '\0';
}

int hotmem_cmdline_next_arg(const char **p, char *tok, size_t len, char **param, char **val)
{
	const char *s = skip_spaces(*p), *e = s;
	bool in_quote = false;

	*p = s;
	if (!*s)
		return 0;
	/* the word's end as next_arg() finds it (a leading quote opens one as any other) */
	for (; *e && (in_quote || !hotmem_cmdline_isspace((unsigned char)*e)); e++)
		in_quote ^= *e == '"';
	*p = e;
	if ((size_t)(e - s) >= len)
		return -E2BIG;
	memcpy(tok, s, (size_t)(e - s));
	tok[e - s] = '\0';
	next_arg(tok, param, val);
	/* kernel/params.c parse_args(): a bare "--" (quoted or not) ends the kernel's words */
	return *val || strcmp(*param, "--") ? 1 : 0;
}

/*
 * 6.12 init/main.c repair_env_string(): next_arg()'s @param and @val
 * (both in @tok) made param=val again at @tok's start, val's quotes gone
 */
static void repair_env_string(char *tok, const char *param, const char *val)
{
	size_t n = strlen(param);

	memmove(tok, param, n);
	if (val) {
		tok[n++] = '=';
		memmove(tok + n, val, strlen(val) + 1);
	} else {
		tok[n] = '\0';
	}
}

int hotmem_cmdline_next(const char **p, char *tok, size_t len)
{
	char *param, *val;
	int ret = hotmem_cmdline_next_arg(p, tok, len, &param, &val);

	if (ret > 0)
		repair_env_string(tok, param, val);
	return ret;
}

/*
 * @cmdline after the command line parsed before it (a profile's cmdline
 * lines, then --cmdline): /proc/cmdline is the whole line the machine
 * booted with, as QEMU's one -append is -- it showed the last part alone,
 * and an export of a machine booted with movablecore= on its profile and
 * --cmdline hotmem.kernel_alloc=off came back without movablecore=
 * (tests/fusefs/414).  The caller checked the length.
 */
static void cmdline_append(struct hotmem_config *cfg, const char *cmdline)
{
	size_t n = strlen(cfg->cmdline);

	cmdline = skip_spaces(cmdline);
	if (!*cmdline)
		return;
	snprintf(cfg->cmdline + n, sizeof(cfg->cmdline) - n, "%s%s", n ? " " : "", cmdline);
}

/*
 * x86's COMMAND_LINE_SIZE (6.12 arch/x86/include/asm/setup.h): the boot
 * protocol's cmdline_size is 2047 bytes.  A longer line is not refused by
 * a real boot but cut: copy_bootdata() (arch/x86/kernel/head64.c) copies
 * COMMAND_LINE_SIZE bytes of the boot loader's, setup_arch()'s strscpy()
 * keeps 2047 of them, and parse_args() reads the cut word as a word.
 * hotmem refuses such a line instead, saying so: a machine booted from a
 * word cut in two is not the one asked for.
 */
static int cmdline_too_long(size_t before, size_t len, char *err, size_t errlen)
{
	return seterr(err, errlen,
		      "kernel command line longer than %d bytes (x86 COMMAND_LINE_SIZE %d): %zu%s; "
		      "a kernel boots such a line cut at %d (copy_bootdata(), setup_arch()), "
		      "hotmem refuses it", HM_COMMAND_LINE_SIZE - 1, HM_COMMAND_LINE_SIZE,
		      before ? before + 1 + len : len, before ? " with the line before it" : "",
		      HM_COMMAND_LINE_SIZE - 1);
}

int hotmem_config_parse_cmdline(struct hotmem_config *cfg, const char *cmdline,
				char *err, size_t errlen)
{
	struct hotmem_config tmp = *cfg;
	const char *p = cmdline;
	char tok[sizeof(cfg->cmdline)], *param, *val;
	size_t before = strlen(cfg->cmdline);
	int ret;

	if (!cmdline)
		return 0;
	/* with what was given before it, a space between (cmdline_append()) */
	if ((before ? before + 1 : 0) + strlen(cmdline) >= sizeof(cfg->cmdline))
		return cmdline_too_long(before, strlen(cmdline), err, errlen);
	/* a word is never longer than the line: no -E2BIG */
	while ((ret = hotmem_cmdline_next_arg(&p, tok, sizeof(tok), &param, &val)) > 0) {
		ret = cmdline_param(&tmp, param, val, err, errlen);
		if (ret)
			return ret;
	}
	cmdline_append(&tmp, cmdline);
	*cfg = tmp;
	return 0;
}

/*
 * Undotted names a 6.12 kernel takes itself (an early_param() or
 * __setup() of its own, init/main.c obsolete_checksetup()), among those a
 * guest's command line commonly carries: not "unknown" to it though
 * hotmem models none of them.  Not the kernel's whole list (about a
 * thousand): a name missing here is said unknown in the machine's log,
 * and in hotmem's own warning either way.  "splash" and BOOT_IMAGE= are
 * no kernel's: a real 6.12 boot lists them as unknown.
 */
static const char *const kernel_setup_params[] = {
	"quiet", "debug", "loglevel", "ignore_loglevel", "log_buf_len", "earlyprintk", "earlycon",
	"console", "root", "rootfstype", "rootflags", "rootwait", "rootdelay", "ro", "rw", "init",
	"rdinit", "initrd", "resume", "noresume", "panic", "crashkernel", "mem", "memmap",
	"kernelcore", "movablecore", "movable_node", "numa", "nr_cpus", "maxcpus", "nosmp",
	"noapic", "nolapic", "acpi", "pci", "iommu", "intel_iommu", "amd_iommu",
	"transparent_hugepage", "hugepages", "hugepagesz", "default_hugepagesz", "hugetlb_cma",
	"cma", "nokaslr", "kaslr", "mitigations", "selinux", "apparmor", "security", "lsm",
	"audit", "swiotlb", "vsyscall", "tsc", "clocksource", "nohz", "nohz_full", "isolcpus",
	"rcu_nocbs", "irqaffinity", "numa_balancing", "nomodeset", "vga", "video", "fbcon",
	"no_console_suspend", "init_on_alloc", "init_on_free", "page_owner", "slub_debug",
	"slab_nomerge", "efi", "noefi", "add_efi_memmap", "nopat", "noexec", "nox2apic",
	"elevator", "cgroup_no_v1", "memory_corruption_check",
};

/*
 * Those of kernel_setup_params[] 6.12 registers as __setup("NAME=")
 * (kernel/printk/printk.c console=, init/do_mounts.c root=, rootfstype=,
 * rootflags=, rootdelay=, init/main.c init=, rdinit=,
 * kernel/power/hibernate.c resume=, mm/huge_memory.c
 * transparent_hugepage=, mm/mempolicy.c numa_balancing=,
 * kernel/sched/isolation.c isolcpus=, nohz_full=, kernel/time nohz=,
 * clocksource=, kernel/irq irqaffinity=, arch/x86 tsc=, the iommus',
 * the LSMs' selinux=, apparmor=, security=, lsm=, kernel/audit.c audit=,
 * cgroup-v1 cgroup_no_v1=, drivers/video video=, fbcon=,
 * block/elevator.c elevator=): obsolete_checksetup()'s
 * parameqn(line, "NAME=", strlen("NAME=")) takes the word with its '='
 * alone, and a bare NAME goes to init as an argument, listed by
 * print_unknown_bootoptions() (reread42 R4).  The others here are
 * early_param()s, a bare __setup("NAME") or kernel parameters: a bare
 * word is theirs too.
 */
static const char *const kernel_setup_needs_value[] = {
	"console", "root", "rootfstype", "rootflags", "rootdelay", "init", "rdinit", "resume",
	"transparent_hugepage", "numa_balancing", "isolcpus", "nohz_full", "nohz", "clocksource",
	"irqaffinity", "tsc", "intel_iommu", "amd_iommu", "selinux", "apparmor", "security",
	"lsm", "audit", "cgroup_no_v1", "video", "fbcon", "elevator",
};

/* 6.12 init/main.c init_setup() and rdinit_setup(): init_words_setup() */
static const char *const init_setups[] = { "init", "rdinit" };

/* @name (@has_val: given as name=value) is a word the kernel itself takes */
static bool kernel_knows(const char *name, bool has_val)
{
	if (!has_val && param_lookup(name, kernel_setup_needs_value))
		return false;
	return param_lookup(name, kernel_setup_params);
}

static bool hotmem_models(const char *name)
{
	return param_lookup(name, cmdline_params);
}

/* append " @word" (the first without its space) to @buf of @len, as far as it goes */
static void word_append(char *buf, size_t len, size_t *n, const char *word)
{
	if (*n < len)
		*n += (size_t)snprintf(buf + *n, len - *n, "%s%s", *n ? " " : "", word);
}

/*
 * 6.12 init/main.c: unknown_bootoption() hands a word the kernel does not
 * take to init -- none with a dot (an "unused module parameter"), those
 * with a value as its environment (a name given twice keeps its last
 * value, in the first one's place), the others as its arguments -- and
 * print_unknown_bootoptions() lists the arguments, then the environment.
 * "Unknown" to this machine's kernel: what it neither models nor is
 * listed in kernel_setup_params.  The environment begins as envp_init[]
 * does, HOME=/ and TERM=linux: a word naming HOME or TERM takes that
 * place (the search starts at envp_init[0]) and is never listed, the
 * list starting at envp_init[2] (reread42 R3: hotmem listed TERM=vt100).
 * Each table has MAX_INIT_ARGS or MAX_INIT_ENVS (CONFIG_INIT_ENV_ARG_LIMIT,
 * 32) + 2 entries: a word that finds the 33rd taken (argv_init[32]:
 * "init" and 32 arguments before it; envp_init[32]: HOME, TERM and 31
 * words) sets panic_later, and start_kernel() panics "Too many boot %s
 * vars at `%s'" once the console is up -- the words after "--" too,
 * set_init_arg()'s arguments (zones43: hotmem booted).
 */
#define MAX_INIT_ARGS 32
#define MAX_INIT_ENVS 32
struct init_words {
	/*
	 * each word is parsed into @words after those kept so far: as
	 * argv_init[] and envp_init[] point into the command line, a word
	 * is whole however long (the words with their NULs fit the line's
	 * bytes, each word a blank shorter than what it took of the line
	 * but the last)
	 */
	char words[sizeof(((struct hotmem_config *)0)->cmdline) + 1];
	const char *argv[MAX_INIT_ARGS + 2];
	const char *envp[MAX_INIT_ENVS + 2];
	const char *panic_later, *panic_param;
};

/*
 * init_setup() and rdinit_setup(): "we ignore all arguments entered
 * _before_ init=" (LILO's "auto") -- argv_init[1..MAX_INIT_ARGS - 1]
 * cleared, so print_unknown_bootoptions() lists none of them
 */
static void init_words_setup(struct init_words *w)
{
	for (unsigned int i = 1; i < MAX_INIT_ARGS; i++)
		w->argv[i] = NULL;
}

/*
 * An argument: unknown_bootoption()'s loop, or set_init_arg()'s
 * (@dashes), which stops at the panic.  Once panic_later is set no word
 * comes here again, so the loop never passes the table's last entry.
 */
static void init_words_arg(struct init_words *w, const char *param, bool dashes)
{
	unsigned int i;

	for (i = 0; w->argv[i]; i++) {
		if (i == MAX_INIT_ARGS) {
			w->panic_later = "init";
			w->panic_param = param;
			if (dashes)
				return;
		}
	}
	w->argv[i] = param;
}

/* an environment word, its name @namelen bytes: unknown_bootoption()'s loop */
static void init_words_env(struct init_words *w, const char *param, size_t namelen)
{
	unsigned int i;

	for (i = 0; w->envp[i]; i++) {
		if (i == MAX_INIT_ENVS) {
			w->panic_later = "env";
			w->panic_param = param;
		}
		if (!strncmp(param, w->envp[i], namelen + 1))
			break;
	}
	w->envp[i] = param;
}

/* room left in @w->words from @tok on */
static size_t init_words_room(const struct init_words *w, const char *tok)
{
	return sizeof(w->words) - (size_t)(tok - w->words);
}

/*
 * parse_args("Booting kernel", ..., unknown_bootoption) over @cfg's
 * line into @w; with @dashes the words after "--" as well
 * (parse_args("Setting init args", ..., set_init_arg)), which start_kernel()
 * parses after print_unknown_bootoptions()
 */
static void init_words_fill(const struct hotmem_config *cfg, struct init_words *w, bool dashes)
{
	const char *p = cfg->cmdline;
	char *tok = w->words, *param, *val;
	int ret;

	memset(w, 0, sizeof(*w));
	w->argv[0] = "init";
	w->envp[0] = "HOME=/";
	w->envp[1] = "TERM=linux";
	while ((ret = hotmem_cmdline_next_arg(&p, tok, init_words_room(w, tok), &param, &val)) > 0) {
		/*
		 * the name as next_arg() split it, before the repair: "=a=b" is
		 * "=a" (its split is never at the first byte), not ""
		 */
		size_t namelen = strlen(param);
		char name[sizeof(cfg->cmdline)];

		snprintf(name, sizeof(name), "%s", param);
		repair_env_string(tok, param, val);
		if (val && param_lookup(name, init_setups))
			init_words_setup(w);
		if (memchr(tok, '.', namelen) || hotmem_models(name) || kernel_knows(name, val != NULL) ||
		    sysctl_is_alias(name) || w->panic_later)
			continue;
		if (val)
			init_words_env(w, tok, namelen);
		else
			init_words_arg(w, tok, false);
		tok += strlen(tok) + 1;
	}
	/* a bare "--" ended the kernel's words, the line goes on past it */
	if (!dashes || ret || !*p)
		return;
	while (!w->panic_later &&
	       hotmem_cmdline_next_arg(&p, tok, init_words_room(w, tok), &param, &val) > 0) {
		repair_env_string(tok, param, val);
		init_words_arg(w, tok, true);
		tok += strlen(tok) + 1;
	}
}

size_t hotmem_config_unknown_bootoptions(const struct hotmem_config *cfg, char *buf, size_t len)
{
	struct init_words w;
	size_t n = 0;

	init_words_fill(cfg, &w, false);
	buf[0] = '\0';
	/* print_unknown_bootoptions(): nothing said before a panic */
	if (w.panic_later)
		return 0;
	for (unsigned int i = 1; w.argv[i]; i++)
		word_append(buf, len, &n, w.argv[i]);
	for (unsigned int i = 2; w.envp[i]; i++)
		word_append(buf, len, &n, w.envp[i]);
	return n;
}

int init_words_panic(const struct hotmem_config *cfg, char *err, size_t errlen)
{
	struct init_words w;

	init_words_fill(cfg, &w, true);
	if (!w.panic_later)
		return 0;
	return hm_seterr(-EINVAL, err, errlen,
			 "Kernel panic - not syncing: Too many boot %s vars at `%s' (6.12 init/main.c: "
			 "init is given at most %d arguments and, besides HOME and TERM, %d "
			 "environment words)",
			 w.panic_later, w.panic_param, MAX_INIT_ARGS, MAX_INIT_ENVS - 1);
}

size_t hotmem_config_unmodelled(const struct hotmem_config *cfg, char *buf, size_t len)
{
	return hotmem_cmdline_unmodelled(cfg->cmdline, buf, len);
}

size_t hotmem_cmdline_unmodelled(const char *cmdline, char *buf, size_t len)
{
	const char *p = cmdline;
	char tok[HM_COMMAND_LINE_SIZE], *param, *val;
	size_t n = 0;

	buf[0] = '\0';
	while (hotmem_cmdline_next_arg(&p, tok, sizeof(tok), &param, &val) > 0) {
		/* sysctl.vm.*: applied at the end of boot (sysctl.c do_sysctl_args()) */
		if (!hotmem_models(param) && !sysctl_arg_modelled(param))
			word_append(buf, len, &n, param);
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* profile files                                                       */
/* ------------------------------------------------------------------ */

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int parse_bool_word(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") ||
	    !strcmp(v, "on") || !strcmp(v, "y") || !strcmp(v, "Y")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") ||
	    !strcmp(v, "off") || !strcmp(v, "n") || !strcmp(v, "N")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

/* "0x100000-0x3fffffff node=0": inclusive end, like /proc/iomem */
/* "START-END [node=N]", END inclusive: a ram or hotplug line */
static int parse_range(const char *key, char *v, struct hm_boot_range *r, char *err,
		       size_t errlen, int line)
{
	char *dash = strchr(v, '-'), *sp;
	uint64_t start, last;
	unsigned int nid = 0;

	if (!dash)
		return seterr(err, errlen, "line %d: %s: expected START-END [node=N]", line, key);
	*dash = '\0';
	sp = strpbrk(dash + 1, " \t");
	if (sp) {
		*sp++ = '\0';
		sp = trim(sp);
		if (strncmp(sp, "node=", 5) || parse_decimal(sp + 5, &nid))
			return seterr(err, errlen, "line %d: %s: bad node '%s' (node=N, N decimal)",
				      line, key, sp);
	}
	if (hotmem_memparse(trim(v), &start) || hotmem_memparse(trim(dash + 1), &last) ||
	    last < start)
		return seterr(err, errlen, "line %d: %s: bad range '%s-%s'", line, key, v,
			      dash + 1);
	r->start = start;
	r->end = last + 1;
	r->nid = (int)nid;
	return 0;
}

/* a ram or hotplug line: one more of @ranges (@nr of them so far) */
static int parse_range_line(const char *key, char *v, struct hm_boot_range *ranges, int *nr,
			    char *err, size_t errlen, int line)
{
	if (*nr >= HM_MAX_BOOT_RANGES)
		return seterr(err, errlen, "line %d: %s: more than %d ranges", line, key,
			      HM_MAX_BOOT_RANGES);
	if (parse_range(key, v, &ranges[*nr], err, errlen, line))
		return -EINVAL;
	(*nr)++;
	return 0;
}

/*
 * The entry types hotmem models: 6.12 arch/x86/kernel/e820.c
 * e820_print_type()'s words, as the boot log's BIOS-e820 lines say them
 * (a profile's e820 lines too), and e820_type_to_string()'s names, as
 * /proc/iomem and /sys/firmware/memmap/N/type show them.  Not modelled:
 * E820_TYPE_PMEM/PRAM (a pmem device of their own), E820_TYPE_SOFT_RESERVED
 * (memblock-reserved RAM for dax/hmem).
 */
static const struct {
	const char *word, *name;
	bool ram;
	unsigned char type;
} e820_types[] = {
	{ "usable", "System RAM", true, HM_E820_PLAIN },
	{ "reserved", "Reserved", false, HM_E820_PLAIN },
	{ "ACPI data", "ACPI Tables", false, HM_E820_ACPI },
	{ "ACPI NVS", "ACPI Non-volatile Storage", false, HM_E820_NVS },
	{ "unusable", "Unusable memory", false, HM_E820_UNUSABLE },
};

static size_t e820_type_at(const struct hm_e820_entry *e)
{
	for (size_t i = 0; i < ARRAY_SIZE(e820_types); i++)
		if (e820_types[i].ram == e->ram && e820_types[i].type == (e->ram ? 0 : e->type))
			return i;
	return e->ram ? 0 : 1;
}

const char *hotmem_e820_word(const struct hm_e820_entry *e)
{
	return e820_types[e820_type_at(e)].word;
}

const char *hotmem_e820_name(const struct hm_e820_entry *e)
{
	return e820_types[e820_type_at(e)].name;
}

bool hotmem_e820_from_name(const char *name, struct hm_e820_entry *e)
{
	for (size_t i = 0; i < ARRAY_SIZE(e820_types); i++)
		if (!strcmp(name, e820_types[i].name)) {
			e->ram = e820_types[i].ram;
			e->type = e820_types[i].type;
			return true;
		}
	return false;
}

/* a profile's e820 line's type word: its index in e820_types, -1 none */
static int e820_word_type(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(e820_types); i++)
		if (!strcmp(word, e820_types[i].word))
			return (int)i;
	return -1;
}

bool hotmem_e820_from_word(const char *word, struct hm_e820_entry *e)
{
	int i = e820_word_type(word);

	if (i < 0)
		return false;
	e->ram = e820_types[i].ram;
	e->type = e820_types[i].type;
	return true;
}

/*
 * "START-END usable|reserved", END inclusive, a BIOS-e820 line's range
 * and type: one more entry of @cfg's table.  The table comes as the
 * kernel keeps it (e820__update_table(): sorted, no overlap, touching
 * entries of one type joined), so an entry below, over or joining the
 * one before is refused rather than sanitized into another table.
 */
static int parse_e820(struct hotmem_config *cfg, char *v, char *err, size_t errlen, int line)
{
	char *dash = strchr(v, '-'), *sp = dash ? strpbrk(dash + 1, " \t") : NULL;
	const struct hm_e820_entry *prev = cfg->nr_e820 ? &cfg->e820[cfg->nr_e820 - 1] : NULL;
	uint64_t start, last;
	bool ram;
	int t;

	if (cfg->nr_e820 >= HM_MAX_E820)
		return seterr(err, errlen, "line %d: e820: more than %d entries", line, HM_MAX_E820);
	if (!sp)
		return seterr(err, errlen, "line %d: e820: expected START-END usable|reserved", line);
	*dash = *sp++ = '\0';
	sp = trim(sp);
	if (hotmem_memparse(trim(v), &start) || hotmem_memparse(trim(dash + 1), &last) ||
	    last < start || last == UINT64_MAX)
		return seterr(err, errlen, "line %d: e820: bad range '%s-%s'", line, v, dash + 1);
	t = e820_word_type(sp);
	if (t < 0)
		return seterr(err, errlen,
			      "line %d: e820: type '%s': hotmem models usable, reserved, ACPI data, "
			      "ACPI NVS and unusable entries (the kernel's BIOS-e820 words)",
			      line, sp);
	ram = e820_types[t].ram;
	if (prev && start < prev->end)
		return seterr(err, errlen,
			      "line %d: e820 %#llx-%#llx: below or over the entry before it "
			      "(%#llx-%#llx): the table is in address order, as the kernel's", line,
			      (unsigned long long)start, (unsigned long long)last,
			      (unsigned long long)prev->start, (unsigned long long)prev->end - 1);
	if (prev && start == prev->end && ram == prev->ram && e820_types[t].type == prev->type)
		return seterr(err, errlen,
			      "line %d: e820 %#llx-%#llx %s: joins the %s entry before it: the kernel "
			      "makes them one (e820__update_table()), give one", line,
			      (unsigned long long)start, (unsigned long long)last, sp, sp);
	cfg->e820[cfg->nr_e820++] = (struct hm_e820_entry){ start, last + 1, ram, e820_types[t].type };
	return 0;
}

/* QEMU's virtio-mem limits (hw/virtio/virtio-mem.c): its default block-size on x86, the least */
#define VIRTIO_MEM_DEFAULT_BLOCK_SIZE (2ULL << 20)
#define VIRTIO_MEM_MIN_BLOCK_SIZE (1ULL << 20)

/*
 * A virtio_mem line's properties, QEMU's -device names: the one list the
 * parser looks a name up in and an unknown one's message names.
 */
enum vmem_prop_kind { VMEM_ID, VMEM_NODE, VMEM_SIZE };

static const struct {
	const char *name;
	enum vmem_prop_kind kind;
	size_t off;		/* VMEM_SIZE: its field */
	unsigned int bit;	/* counted in virtio_mem_prop()'s @have: 1 memaddr, 2 size */
	bool alias;		/* another name of the one before it: not said */
} vmem_props[] = {
	{ "id", VMEM_ID, 0, 0, false },
	{ "memaddr", VMEM_SIZE, offsetof(struct hm_virtio_mem_config, addr), 1, false },
	{ "addr", VMEM_SIZE, offsetof(struct hm_virtio_mem_config, addr), 1, true },
	{ "size", VMEM_SIZE, offsetof(struct hm_virtio_mem_config, size), 2, false },
	{ "requested-size", VMEM_SIZE, offsetof(struct hm_virtio_mem_config, requested_size), 0, false },
	{ "block-size", VMEM_SIZE, offsetof(struct hm_virtio_mem_config, block_size), 0, false },
	{ "node", VMEM_NODE, 0, 0, false },
};

static int virtio_mem_unknown(const char *prop, char *err, size_t errlen, int line)
{
	char known[128];
	size_t n = 0;

	known[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(vmem_props) && n < sizeof(known); i++)
		if (!vmem_props[i].alias)
			n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s", n ? ", " : "",
					      vmem_props[i].name);
	return seterr(err, errlen, "line %d: virtio_mem: unknown property '%s' (%s)", line, prop,
		      known);
}

/* one PROP=VALUE of a virtio_mem line into @v; "size" and "memaddr" are counted in @have */
static int virtio_mem_prop(struct hm_virtio_mem_config *v, const char *prop, const char *val,
			   unsigned int *have, char *err, size_t errlen, int line)
{
	unsigned int nid;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vmem_props) && strcmp(prop, vmem_props[i].name); i++)
		;
	if (i == ARRAY_SIZE(vmem_props))
		return virtio_mem_unknown(prop, err, errlen, line);
	switch (vmem_props[i].kind) {
	case VMEM_ID:
		if (!*val || strlen(val) >= sizeof(v->id))
			return seterr(err, errlen, "line %d: virtio_mem: bad id '%s'", line, val);
		snprintf(v->id, sizeof(v->id), "%s", val);
		break;
	case VMEM_NODE:
		if (parse_decimal(val, &nid) || nid >= HM_MAX_NUMNODES)
			return seterr(err, errlen, "line %d: virtio_mem: bad node '%s' (decimal)", line,
				      val);
		v->nid = (int)nid;
		break;
	case VMEM_SIZE:
		if (hotmem_memparse(val, (uint64_t *)((char *)v + vmem_props[i].off)))
			return seterr(err, errlen, "line %d: virtio_mem: %s: bad size '%s'", line,
				      prop, val);
		*have |= vmem_props[i].bit;
		break;
	}
	return 0;
}

/* what QEMU's realize refuses of one device alone, in its words */
static int virtio_mem_check(const struct hm_virtio_mem_config *v, char *err, size_t errlen,
			    int line)
{
	uint64_t bs = v->block_size;

	if (bs < VIRTIO_MEM_MIN_BLOCK_SIZE || (bs & (bs - 1)))
		return seterr(err, errlen,
			      "line %d: virtio_mem: block-size %#llx: must be a power of two of at least 1M",
			      line, (unsigned long long)bs);
	if (!v->size || v->size % bs)
		return seterr(err, errlen,
			      "line %d: virtio_mem: size %#llx: must be a multiple of block-size (%#llx)",
			      line, (unsigned long long)v->size, (unsigned long long)bs);
	if (v->addr % bs || v->addr + v->size < v->addr)
		return seterr(err, errlen,
			      "line %d: virtio_mem: memaddr %#llx: must be aligned to block-size (%#llx)",
			      line, (unsigned long long)v->addr, (unsigned long long)bs);
	if (v->requested_size % bs || v->requested_size > v->size)
		return seterr(err, errlen,
			      "line %d: virtio_mem: requested-size %#llx: must be a multiple of block-size (%#llx), at most size",
			      line, (unsigned long long)v->requested_size, (unsigned long long)bs);
	return 0;
}

/*
 * "[virtio-mem-pci,]id=vm0,memaddr=0x140000000,size=1G,requested-size=256M,
 * block-size=2M,node=0": QEMU's -device properties (size is its memory
 * backend's), separated by commas or spaces, as hotmemctl device_add
 * takes them.  memaddr and size are required; block-size is QEMU's
 * default on x86 (2M), requested-size 0, node 0, id "vmemN" (hotmemfs's
 * own naming) unless given.
 */
static int parse_virtio_mem(struct hotmem_config *cfg, char *val, char *err, size_t errlen,
			    int line)
{
	struct hm_virtio_mem_config v = { .block_size = VIRTIO_MEM_DEFAULT_BLOCK_SIZE };
	unsigned int have = 0;
	char *save = NULL;
	int ret;

	if (cfg->nr_virtio_mem >= HM_MAX_PROFILE_VIRTIO_MEM)
		return seterr(err, errlen, "line %d: virtio_mem: more than %d devices", line,
			      HM_MAX_PROFILE_VIRTIO_MEM);
	snprintf(v.id, sizeof(v.id), "vmem%d", cfg->nr_virtio_mem);
	for (char *tok = strtok_r(val, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq && tok == val && (!strcmp(tok, "virtio-mem-pci") || !strcmp(tok, "virtio-mem")))
			continue;
		if (!eq)
			return seterr(err, errlen, "line %d: virtio_mem: expected PROPERTY=VALUE, got '%s'",
				      line, tok);
		*eq = '\0';
		ret = virtio_mem_prop(&v, tok, eq + 1, &have, err, errlen, line);
		if (ret)
			return ret;
	}
	if (!(have & 1) || !(have & 2))
		return seterr(err, errlen, "line %d: virtio_mem: memaddr and size are required", line);
	ret = virtio_mem_check(&v, err, errlen, line);
	if (!ret)
		cfg->virtio_mem[cfg->nr_virtio_mem++] = v;
	return ret;
}

/*
 * A block number of an online/offline line, memoryN's N: hmu_block_number()
 * (engine/uapi/numbers.c), the one rule hotmemctl, hotmemfs's control
 * socket and `hotmem run` read a block with -- "010" refused, not read.
 * @len: the number's length in @s (FIRST ends at the range's '-').
 */
static int parse_block_nr(const char *s, size_t len, unsigned long *out)
{
	char buf[24];
	long long n;

	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (hmu_block_number(buf, &n))
		return -EINVAL;
	*out = (unsigned long)n;
	return 0;
}

/* "FIRST[-LAST] online|online_kernel|online_movable", or for offline "FIRST[-LAST]" */
static int parse_block_state(struct hotmem_config *cfg, const char *key, char *v, char *err,
			     size_t errlen, int line)
{
	struct hm_block_run *b = &cfg->block_state[cfg->nr_block_states];
	char *type = strpbrk(v, " \t"), *dash;

	if (cfg->nr_block_states >= HM_MAX_PROFILE_STATES)
		return seterr(err, errlen, "line %d: %s: more than %d online/offline lines", line,
			      key, HM_MAX_PROFILE_STATES);
	if (type)
		*type++ = '\0';
	b->online_type = HM_MMOP_OFFLINE;
	if (!strcmp(key, "online")) {
		b->online_type = type ? hotmem_online_type_from_str(trim(type), strlen(trim(type)))
				      : HM_MMOP_ONLINE;
		if (b->online_type <= HM_MMOP_OFFLINE)
			return seterr(err, errlen,
				      "line %d: online: expected BLOCKS [online|online_kernel|online_movable]",
				      line);
	} else if (type && *trim(type)) {
		return seterr(err, errlen, "line %d: offline: expected BLOCKS", line);
	}
	dash = strchr(v, '-');
	if (parse_block_nr(v, dash ? (size_t)(dash - v) : strlen(v), &b->first))
		goto bad;
	b->last = b->first;
	if ((dash && parse_block_nr(dash + 1, strlen(dash + 1), &b->last)) || b->last < b->first)
		goto bad;
	cfg->nr_block_states++;
	return 0;
bad:
	return seterr(err, errlen,
		      "line %d: %s: bad block range '%s': FIRST[-LAST], block numbers decimal as in memoryN, without a leading 0",
		      line, key, v);
}

/*
 * "SRC DST VAL": QEMU's -numa dist,src=,dst=,val= (hw/core/numa.c
 * parse_numa_distance()): VAL 10 from a node to itself, else 11..255 --
 * the kernel's slit_valid() ignores a SLIT with a remote distance of 10
 * or less, so it is refused here rather than kept and not used.
 */
static int parse_distance(struct hotmem_config *cfg, char *v, char *err, size_t errlen, int line)
{
	unsigned long n[3];
	char *p = v, *end;

	for (int i = 0; i < 3; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		errno = 0;
		n[i] = strtoul(p, &end, 10);
		if (errno || end == p || !isdigit((unsigned char)*p))
			return seterr(err, errlen, "line %d: distance: expected SRC DST VAL", line);
		p = end;
	}
	if (*trim(p))
		return seterr(err, errlen, "line %d: distance: expected SRC DST VAL", line);
	if (n[0] >= HM_MAX_NUMNODES || n[1] >= HM_MAX_NUMNODES)
		return seterr(err, errlen, "line %d: distance: node %lu: at most %d nodes", line,
			      n[0] > n[1] ? n[0] : n[1], HM_MAX_NUMNODES);
	if (n[0] == n[1] && n[2] != 10)
		return seterr(err, errlen, "line %d: distance: node %lu to itself must be 10", line,
			      n[0]);
	if (n[0] != n[1] && (n[2] <= 10 || n[2] > 255))
		return seterr(err, errlen,
			      "line %d: distance: %lu from node %lu to %lu: must be 11..255", line,
			      n[2], n[0], n[1]);
	cfg->node_distance[n[0]][n[1]] = (unsigned char)n[2];
	cfg->slit = true;
	return 0;
}

/* "0", "0-1", "0,2-3" (a profile's, sysfs's "%*pbl"): the nodes' bits (bit N, node N), or -EINVAL */
int hotmem_nodelist_parse(const char *v, uint64_t *out)
{
	const char *p = v;
	uint64_t m = 0;

	for (;;) {
		unsigned long a, b;
		char *end;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		a = b = strtoul(p, &end, 10);
		p = end;
		if (*p == '-') {
			if (!isdigit((unsigned char)*++p))
				return -EINVAL;
			b = strtoul(p, &end, 10);
			p = end;
		}
		if (a > b || b >= HM_MAX_NUMNODES)
			return -EINVAL;
		for (; a <= b; a++)
			m |= 1ULL << a;
		if (*p != ',')
			break;
		p++;
	}
	if (*p)
		return -EINVAL;
	*out = m;
	return 0;
}

/* @nodes (bit N, node N) as hotmem_nodelist_parse() reads it, sysfs's "%*pbl": "0,2-3" */
void hotmem_nodelist_format(uint64_t nodes, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int a = 0; a < HM_MAX_NUMNODES && n < len; a++) {
		int b = a;

		if (!(nodes >> a & 1))
			continue;
		while (b + 1 < HM_MAX_NUMNODES && nodes >> (b + 1) & 1)
			b++;
		n += (size_t)snprintf(buf + n, len - n, "%s%d", n ? "," : "", a);
		if (b > a && n < len)
			n += (size_t)snprintf(buf + n, len - n, "-%d", b);
		a = b;
	}
}

/* one "key = value" line of a profile file */
struct profile_line {
	struct hotmem_config *cfg;
	const char *key;
	char *val;
	int line;
	char *err;
	size_t errlen;
	bool *have_ram; /* a ram line came: the built-in's boot ranges are replaced */
	bool *have_e820; /* an e820 line came: the built-in's table is replaced */
	bool after_setting; /* a setting came before this line */
	int *seen; /* each profile_keys[] key's line so far, 0: none (profile_key()) */
};

static int pl_size(struct profile_line *pl, uint64_t *out)
{
	if (hotmem_memparse(pl->val, out))
		return seterr(pl->err, pl->errlen, "line %d: %s: bad size '%s'", pl->line, pl->key,
			      pl->val);
	return 0;
}

/* a profile's count: parse_decimal()'s, a refusal in one text for every key */
static int pl_uint(struct profile_line *pl, unsigned int *out)
{
	int ret = parse_decimal(pl->val, out);

	if (ret == -ERANGE)
		return hm_seterr(-ERANGE, pl->err, pl->errlen,
				 "line %d: %s: '%s' out of range (ERANGE)", pl->line, pl->key, pl->val);
	if (ret)
		return seterr(pl->err, pl->errlen, "line %d: %s: bad number '%s' (decimal)", pl->line,
			      pl->key, pl->val);
	return 0;
}

static int pl_bool(struct profile_line *pl, bool *out)
{
	if (parse_bool_word(pl->val, out))
		return seterr(pl->err, pl->errlen, "line %d: %s: expected yes or no", pl->line,
			      pl->key);
	return 0;
}

static int key_profile(struct profile_line *pl)
{
	/*
	 * A built-in is a whole machine: loaded after another setting it
	 * would silently undo that setting (memory_failure = yes, then
	 * profile = qemu-512m, booted without memory_failure).  docs/profile.md:
	 * a file starts from a built-in, so profile comes first, once.
	 */
	if (pl->after_setting)
		return seterr(pl->err, pl->errlen,
			      "line %d: 'profile =' must come before other settings: "
			      "it loads a whole machine", pl->line);
	if (hotmem_config_builtin(pl->cfg, pl->val))
		return seterr(pl->err, pl->errlen, "line %d: profile: no built-in profile '%s'",
			      pl->line, pl->val);
	return 0;
}

static int key_name(struct profile_line *pl)
{
	snprintf(pl->cfg->name, sizeof(pl->cfg->name), "%s", pl->val);
	return 0;
}

static int key_block_size(struct profile_line *pl)
{
	return pl_size(pl, &pl->cfg->block_size);
}

static int key_max_physmem_bits(struct profile_line *pl)
{
	return pl_uint(pl, &pl->cfg->max_physmem_bits);
}

static int key_maxmem(struct profile_line *pl)
{
	return pl_size(pl, &pl->cfg->maxmem);
}

static int key_qemu_maxmem(struct profile_line *pl)
{
	return pl_size(pl, &pl->cfg->qemu_maxmem);
}

static int key_slots(struct profile_line *pl)
{
	return pl_uint(pl, &pl->cfg->ram_slots);
}

static int key_device_memory(struct profile_line *pl)
{
	if (strcmp(pl->val, "qemu") && strcmp(pl->val, "after-ram"))
		return seterr(pl->err, pl->errlen,
			      "line %d: device_memory: expected qemu or after-ram, not '%s'", pl->line,
			      pl->val);
	pl->cfg->device_memory_qemu = !strcmp(pl->val, "qemu");
	return 0;
}

static int key_nodes(struct profile_line *pl)
{
	unsigned int u = 0;
	int ret = pl_uint(pl, &u);

	if (!ret)
		pl->cfg->nr_possible_nodes = (int)u;
	return ret;
}

static int key_cpu_nodes(struct profile_line *pl)
{
	if (hotmem_nodelist_parse(pl->val, &pl->cfg->cpu_nodes))
		return seterr(pl->err, pl->errlen,
			      "line %d: cpu_nodes: expected a node list below %d (0, 0-1, 0,2-3), not '%s'",
			      pl->line, HM_MAX_NUMNODES, pl->val);
	return 0;
}

static int key_distance(struct profile_line *pl)
{
	return parse_distance(pl->cfg, pl->val, pl->err, pl->errlen, pl->line);
}

static int key_ram(struct profile_line *pl)
{
	/* the built-in's e820 table goes too, unless the file gives one: hotmem_config_parse_text() */
	/* and its boot reservations, unless the file gives them: drop_builtin_boot_reserve() */
	if (!*pl->have_ram) {
		pl->cfg->nr_boot_ranges = 0;
		*pl->have_ram = true;
	}
	return parse_range_line(pl->key, pl->val, pl->cfg->boot, &pl->cfg->nr_boot_ranges, pl->err,
				pl->errlen, pl->line);
}

/* "START-END", inclusive, into @r; -EINVAL on anything else */
static int parse_phys_range(char *v, struct hm_phys_range *r)
{
	char *dash = strchr(v, '-');
	uint64_t start, last;

	if (!dash)
		return -EINVAL;
	*dash = '\0';
	if (hotmem_memparse(trim(v), &start) || hotmem_memparse(trim(dash + 1), &last) ||
	    last < start)
		return -EINVAL;
	r->start = start;
	r->end = last;
	return 0;
}

/* kernel_image's parts, by the names docs/profile.md gives them: every part, once */
static const struct {
	const char *name;
	size_t off;
} kernel_image_parts[] = {
	{ "code", offsetof(struct hm_boot_reserve, code) },
	{ "rodata", offsetof(struct hm_boot_reserve, rodata) },
	{ "data", offsetof(struct hm_boot_reserve, data) },
	{ "init", offsetof(struct hm_boot_reserve, init) },
	{ "bss", offsetof(struct hm_boot_reserve, bss) },
	{ "smp_locks", offsetof(struct hm_boot_reserve, smp_locks) },
	{ "bss_decrypted_unused", offsetof(struct hm_boot_reserve, bss_decrypted_unused) },
};

static struct hm_phys_range *kernel_image_part(struct hm_boot_reserve *br, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(kernel_image_parts); i++)
		if (!strcmp(name, kernel_image_parts[i].name))
			return (struct hm_phys_range *)((char *)br + kernel_image_parts[i].off);
	return NULL;
}

/*
 * no kernel image: each part by the table, not a memset over the members
 * counted (reread34 R2: a part added to struct hm_boot_reserve, or one
 * moved, would have stayed or taken initrd with it)
 */
static void kernel_image_clear(struct hm_boot_reserve *br)
{
	for (size_t i = 0; i < ARRAY_SIZE(kernel_image_parts); i++)
		memset((char *)br + kernel_image_parts[i].off, 0, sizeof(struct hm_phys_range));
}

/*
 * kernel_image = code=S-E rodata=S-E data=S-E init=S-E bss=S-E
 * [smp_locks=S-E] [bss_decrypted_unused=S-E]: where the boot loader put
 * vmlinux's sections (/proc/iomem's "Kernel ..." lines give four)
 */
static int key_kernel_image(struct profile_line *pl)
{
	struct hm_boot_reserve *br = &pl->cfg->boot_reserve;
	struct hm_boot_reserve tmp = *br;
	char *save = NULL;

	kernel_image_clear(&tmp);
	tmp.kernel_image = false;
	/* none: no image reserved (a built-in's, qemu-512m's, taken out) */
	if (!strcmp(pl->val, "none")) {
		*br = tmp;
		return 0;
	}
	for (char *tok = strtok_r(pl->val, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');
		struct hm_phys_range *r;

		if (eq)
			*eq = '\0';
		r = eq ? kernel_image_part(&tmp, tok) : NULL;
		if (!r || parse_phys_range(eq + 1, r))
			return seterr(pl->err, pl->errlen,
				      "line %d: kernel_image: bad part '%s' (code=, rodata=, data=, init=, "
				      "bss=, smp_locks=, bss_decrypted_unused= START-END)", pl->line, tok);
	}
	if (!tmp.code.end || !tmp.rodata.end || !tmp.data.end || !tmp.init.end || !tmp.bss.end)
		return seterr(pl->err, pl->errlen,
			      "line %d: kernel_image: code=, rodata=, data=, init= and bss= are needed",
			      pl->line);
	tmp.kernel_image = true;
	*br = tmp;
	return 0;
}

static int key_initrd(struct profile_line *pl)
{
	if (!strcmp(pl->val, "none")) {
		memset(&pl->cfg->boot_reserve.initrd, 0, sizeof(pl->cfg->boot_reserve.initrd));
		return 0;
	}
	if (parse_phys_range(pl->val, &pl->cfg->boot_reserve.initrd))
		return seterr(pl->err, pl->errlen, "line %d: initrd: expected START-END or none", pl->line);
	return 0;
}

static int key_realmode(struct profile_line *pl)
{
	return pl_bool(pl, &pl->cfg->boot_reserve.realmode);
}

static int pl_pages(struct profile_line *pl, uint64_t *out)
{
	if (hotmem_memparse(pl->val, out) || *out % HM_PAGE_SIZE)
		return seterr(pl->err, pl->errlen, "line %d: %s: expected a size in whole pages ('%s')",
			      pl->line, pl->key, pl->val);
	return 0;
}

static int key_swiotlb(struct profile_line *pl)
{
	return pl_pages(pl, &pl->cfg->boot_reserve.swiotlb);
}

static int key_boot_reserved(struct profile_line *pl)
{
	return pl_pages(pl, &pl->cfg->boot_reserve.boot_reserved);
}

/* brk = SIZE: reserve_brk()'s used brk after the image's bss (docs/profile.md) */
static int key_brk(struct profile_line *pl)
{
	return pl_pages(pl, &pl->cfg->boot_reserve.brk);
}

static int key_e820(struct profile_line *pl)
{
	if (!*pl->have_e820) {
		pl->cfg->nr_e820 = 0;
		*pl->have_e820 = true;
	}
	return parse_e820(pl->cfg, pl->val, pl->err, pl->errlen, pl->line);
}

static int key_hotplug(struct profile_line *pl)
{
	return parse_range_line(pl->key, pl->val, pl->cfg->hotplug, &pl->cfg->nr_hotplug, pl->err,
				pl->errlen, pl->line);
}

static int key_virtio_mem(struct profile_line *pl)
{
	return parse_virtio_mem(pl->cfg, pl->val, pl->err, pl->errlen, pl->line);
}

static int key_block_state(struct profile_line *pl)
{
	return parse_block_state(pl->cfg, pl->key, pl->val, pl->err, pl->errlen, pl->line);
}

static int key_probe(struct profile_line *pl)
{
	return pl_bool(pl, &pl->cfg->arch_memory_probe);
}

static int key_memory_failure(struct profile_line *pl)
{
	return pl_bool(pl, &pl->cfg->memory_failure);
}

static int key_crash_hotplug(struct profile_line *pl)
{
	return pl_bool(pl, &pl->cfg->crash_hotplug);
}

static int key_pm_advanced_debug(struct profile_line *pl)
{
	return pl_bool(pl, &pl->cfg->pm_advanced_debug);
}

static int key_init_threads(struct profile_line *pl)
{
	unsigned int u = 0;
	int ret = pl_uint(pl, &u);

	if (ret)
		return ret;
	if (u < 1 || u > 64)
		return seterr(pl->err, pl->errlen, "line %d: init_threads: expected 1..64", pl->line);
	pl->cfg->init_threads = u;
	return 0;
}

static int key_kernel_alloc(struct profile_line *pl)
{
	int t = parse_kernel_alloc(pl->val);

	if (t < 0)
		return seterr(pl->err, pl->errlen,
			      "line %d: kernel_alloc: expected off, default or heavy", pl->line);
	pl->cfg->kernel_alloc = t;
	return 0;
}

static int key_kernel_alloc_seed(struct profile_line *pl)
{
	unsigned int u = 0;
	int ret = pl_uint(pl, &u);

	if (!ret)
		pl->cfg->kernel_alloc_seed = u;
	return ret;
}

static int key_cmdline(struct profile_line *pl)
{
	return hotmem_config_parse_cmdline(pl->cfg, pl->val, pl->err, pl->errlen);
}

static int key_debug_fail_memmap_section(struct profile_line *pl)
{
	uint64_t v64;

	if (hotmem_memparse(pl->val, &v64))
		return seterr(pl->err, pl->errlen, "line %d: debug_fail_memmap_section: bad number",
			      pl->line);
	pl->cfg->debug_fail_memmap = true;
	pl->cfg->debug_fail_memmap_section = (unsigned long)v64;
	return 0;
}

/*
 * A profile file's keys (docs/profile.md, in its order): the one list
 * profile_key() looks a key up in and an unknown one's message names.
 */
static const struct {
	const char *key;
	int (*set)(struct profile_line *pl);
	bool many; /* a line each (a range, a device, a distance); else once */
} profile_keys[] = {
	{ "profile", key_profile, true }, /* once: key_profile() says so its own way */
	{ "name", key_name, false },
	{ "block_size", key_block_size, false },
	{ "max_physmem_bits", key_max_physmem_bits, false },
	{ "maxmem", key_maxmem, false },
	{ "qemu_maxmem", key_qemu_maxmem, false },
	{ "nodes", key_nodes, false },
	{ "cpu_nodes", key_cpu_nodes, false },
	{ "distance", key_distance, true },
	{ "slots", key_slots, false },
	{ "device_memory", key_device_memory, false },
	{ "ram", key_ram, true },
	{ "e820", key_e820, true },
	{ "probe", key_probe, false },
	{ "memory_failure", key_memory_failure, false },
	{ "crash_hotplug", key_crash_hotplug, false },
	{ "pm_advanced_debug", key_pm_advanced_debug, false },
	{ "init_threads", key_init_threads, false },
	{ "kernel_alloc", key_kernel_alloc, false },
	{ "kernel_alloc_seed", key_kernel_alloc_seed, false },
	{ "cmdline", key_cmdline, true }, /* its parameters add up, a line each */
	{ "kernel_image", key_kernel_image, false },
	{ "initrd", key_initrd, false },
	{ "brk", key_brk, false },
	{ "realmode", key_realmode, false },
	{ "swiotlb", key_swiotlb, false },
	{ "boot_reserved", key_boot_reserved, false },
	{ "hotplug", key_hotplug, true },
	{ "virtio_mem", key_virtio_mem, true },
	{ "online", key_block_state, true },
	{ "offline", key_block_state, true },
	{ "debug_fail_memmap_section", key_debug_fail_memmap_section, false },
};

static int profile_key(struct profile_line *pl)
{
	char known[512];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(profile_keys); i++) {
		if (strcmp(pl->key, profile_keys[i].key))
			continue;
		/*
		 * a setting given twice was silently the last (a typo'd second
		 * block_size won unseen), where a QMP object's duplicate key is
		 * refused (usereye8 5f): both lines named
		 */
		if (!profile_keys[i].many && pl->seen[i])
			return seterr(pl->err, pl->errlen,
				      "line %d: %s given again (line %d): a setting comes once",
				      pl->line, pl->key, pl->seen[i]);
		pl->seen[i] = pl->line;
		return profile_keys[i].set(pl);
	}
	known[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(profile_keys) && n < sizeof(known); i++)
		n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s", n ? ", " : "",
				      profile_keys[i].key);
	return seterr(pl->err, pl->errlen, "line %d: unknown key '%s' (known: %s)", pl->line,
		      pl->key, known);
}

/*
 * Where a profile file set what validate() checks: each setting's line
 * (0: not set by a line -- the built-in profile's, or the default).  A
 * check made once the whole file is read names the line as a parse
 * error does (docs/profile.md: "Errors name the line and the setting";
 * usereye4 #22): "ram 0x100000-0x1fffffff: node 7 ..." in a --from-sysfs
 * profile of many ram lines needed a search.
 */
struct where {
	int block_size, max_physmem_bits, maxmem, qemu_maxmem, nodes, slots, init_threads, cpu_nodes;
	int kernel_image, initrd, brk, realmode, swiotlb, boot_reserved;
	int ram[HM_MAX_BOOT_RANGES], virtio_mem[HM_MAX_PROFILE_VIRTIO_MEM], e820[HM_MAX_E820];
	int distance[HM_MAX_NUMNODES][HM_MAX_NUMNODES];
};

struct at {
	char s[24];
};

/* "line N: ", or "" for a setting no line made */
static struct at at_line(int line)
{
	struct at a = { "" };

	if (line > 0)
		snprintf(a.s, sizeof(a.s), "line %d: ", line);
	return a;
}

#define W(field) at_line(w ? w->field : 0).s
#define WI(field, i) at_line(w ? w->field[i] : 0).s
/* a node not possible: its own line, else the nodes = line (a built-in's range, the file's nodes) */
#define WN(line) at_line(w ? ((line) ? (line) : w->nodes) : 0).s

/* @err, a message already made, after @at */
static int prefix_err(const char *at, char *err, size_t errlen)
{
	char tmp[512];

	snprintf(tmp, sizeof(tmp), "%s", err);
	return seterr(err, errlen, "%s%s", at, tmp);
}

/* what makes node @nid possible when @nr nodes are: the fix, said with the error */
static const char *node_hint(char *buf, size_t len, int nid, int nr)
{
	if (nid >= 0 && nid < HM_MAX_NUMNODES)
		snprintf(buf, len, "nodes = %d; nodes = %d makes node %d possible", nr, nid + 1, nid);
	else
		snprintf(buf, len, "nodes = %d; a node is 0..%d", nr, HM_MAX_NUMNODES - 1);
	return buf;
}

static int validate(const struct hotmem_config *cfg, const struct where *w, char *err,
		    size_t errlen);

/* @w: the line of the setting @key that line @line of the file just made in @cfg */
static void where_note(struct where *w, const struct hotmem_config *cfg, const char *key,
		       const char *val, int line)
{
	static const struct {
		const char *key;
		size_t off;
	} scalar[] = {
		{ "block_size", offsetof(struct where, block_size) },
		{ "max_physmem_bits", offsetof(struct where, max_physmem_bits) },
		{ "maxmem", offsetof(struct where, maxmem) },
		{ "qemu_maxmem", offsetof(struct where, qemu_maxmem) },
		{ "nodes", offsetof(struct where, nodes) },
		{ "slots", offsetof(struct where, slots) },
		{ "init_threads", offsetof(struct where, init_threads) },
		{ "cpu_nodes", offsetof(struct where, cpu_nodes) },
		{ "kernel_image", offsetof(struct where, kernel_image) },
		{ "initrd", offsetof(struct where, initrd) },
		{ "brk", offsetof(struct where, brk) },
		{ "realmode", offsetof(struct where, realmode) },
		{ "swiotlb", offsetof(struct where, swiotlb) },
		{ "boot_reserved", offsetof(struct where, boot_reserved) },
	};
	unsigned int i, j;

	for (size_t k = 0; k < ARRAY_SIZE(scalar); k++)
		if (!strcmp(key, scalar[k].key))
			*(int *)((char *)w + scalar[k].off) = line;
	if (!strcmp(key, "ram") && cfg->nr_boot_ranges > 0)
		w->ram[cfg->nr_boot_ranges - 1] = line;
	if (!strcmp(key, "e820") && cfg->nr_e820 > 0)
		w->e820[cfg->nr_e820 - 1] = line;
	if (!strcmp(key, "virtio_mem") && cfg->nr_virtio_mem > 0)
		w->virtio_mem[cfg->nr_virtio_mem - 1] = line;
	if (!strcmp(key, "distance") && sscanf(val, "%u %u", &i, &j) == 2 && i < HM_MAX_NUMNODES &&
	    j < HM_MAX_NUMNODES)
		w->distance[i][j] = line;
}

/*
 * A file's ram lines replace the built-in's RAM, and with it the boot
 * reservations the built-in made in it (a kernel image in RAM no longer
 * there); those the file gives itself stay, whichever line came first --
 * as the e820 rule, applied once the whole file is read (reread33 R2).
 */
static void drop_builtin_boot_reserve(struct hotmem_config *cfg, const struct where *w)
{
	struct hm_boot_reserve *br = &cfg->boot_reserve;

	if (!w->kernel_image) {
		br->kernel_image = false;
		kernel_image_clear(br);
	}
	if (!w->initrd)
		memset(&br->initrd, 0, sizeof(br->initrd));
	if (!w->brk)
		br->brk = 0;
	if (!w->realmode)
		br->realmode = false;
	if (!w->swiotlb)
		br->swiotlb = 0;
	if (!w->boot_reserved)
		br->boot_reserved = 0;
}

/*
 * `kernel_image = none` takes the built-in's brk out with the image: the
 * brk is where the image's bss ends (reserve_brk(), __brk_base), so no
 * image, no brk -- qemu-512m's 68K since 2026-12-04 included.  A brk the
 * file gives itself stays, whichever line came first, and validate_brk()
 * refuses it without an image.
 */
static void drop_builtin_brk(struct hotmem_config *cfg, const struct where *w)
{
	if (w->kernel_image && !cfg->boot_reserve.kernel_image && !w->brk)
		cfg->boot_reserve.brk = 0;
}

int hotmem_config_parse_text(struct hotmem_config *cfg, const char *text,
			     char *err, size_t errlen)
{
	struct hotmem_config tmp = *cfg;
	char *copy = strdup(text), *ln, *next, val_copy[64];
	struct where *w = calloc(1, sizeof(*w)); /* 16 KiB of distances: not on the stack */
	bool have_ram = false, have_e820 = false, any_setting = false;
	int line = 0, ret = 0, seen[ARRAY_SIZE(profile_keys)] = { 0 };

	if (!copy || !w) {
		free(copy);
		free(w);
		return -ENOMEM;
	}
	for (ln = copy; ln; ln = next) {
		char *eq, *key, *val;

		next = strchr(ln, '\n');
		if (next)
			*next++ = '\0';
		line++;
		if (strchr(ln, '#'))
			*strchr(ln, '#') = '\0';
		ln = trim(ln);
		if (!*ln)
			continue;
		eq = strchr(ln, '=');
		if (!eq) {
			ret = seterr(err, errlen, "line %d: expected 'key = value'", line);
			break;
		}
		*eq = '\0';
		key = trim(ln);
		val = trim(eq + 1);
		if (*val == '"' && strlen(val) >= 2 && val[strlen(val) - 1] == '"') {
			val[strlen(val) - 1] = '\0';
			val++;
		}
		snprintf(val_copy, sizeof(val_copy), "%s", val); /* key_*() may cut it */
		ret = profile_key(&(struct profile_line){ &tmp, key, val, line, err, errlen,
							  &have_ram, &have_e820, any_setting, seen });
		if (ret)
			break;
		any_setting = true;
		where_note(w, &tmp, key, val_copy, line);
	}
	free(copy);
	/* ram lines without e820 lines: the built-in's table was of its RAM, the map is made from theirs */
	if (have_ram && !have_e820)
		tmp.nr_e820 = 0;
	if (have_ram)
		drop_builtin_boot_reserve(&tmp, w);
	drop_builtin_brk(&tmp, w);
	/*
	 * A maxmem line without a qemu_maxmem line is what it was before
	 * qemu_maxmem (2026-12-03): QEMU's maxmem is maxmem - the region's
	 * base -- `profile = qemu-512m` + `maxmem = 256G` keeps its 251.5
	 * GiB for devices, not the built-in's 3.5.  Else a QEMU machine's
	 * physical addresses end where its device memory does: `slots = 8`
	 * or more boot RAM over qemu-512m moves the end as QEMU's region
	 * moves.
	 */
	if (!ret && w->maxmem && !w->qemu_maxmem)
		tmp.qemu_maxmem = 0;
	if (!ret && !w->maxmem && tmp.device_memory_qemu && tmp.qemu_maxmem)
		tmp.maxmem = qemu_device_memory_end(&tmp);
	if (!ret)
		ret = validate(&tmp, w, err, errlen);
	free(w);
	if (!ret)
		*cfg = tmp;
	return ret;
}

/* a profile's size limit: it is a page of text, not data */
#define PROFILE_MAX_BYTES	(1 << 20)

/*
 * Read @f as a stream (a pipe or /dev/stdin has no size to seek to) into
 * a NUL-terminated buffer of at most PROFILE_MAX_BYTES: 0 and *bufp, or
 * -EFBIG past the limit, -errno of a read (EISDIR...), -ENOMEM.
 */
static int read_profile_stream(FILE *f, char **bufp)
{
	char *buf = malloc(PROFILE_MAX_BYTES + 2);
	size_t n;

	if (!buf)
		return -ENOMEM;
	/* one byte past the limit tells "larger" from "exactly 1 MiB" */
	errno = 0; /* not an earlier call's, if ferror() says no errno */
	n = fread(buf, 1, PROFILE_MAX_BYTES + 1, f);
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		free(buf);
		return -e;
	}
	if (n > PROFILE_MAX_BYTES) {
		free(buf);
		return -EFBIG;
	}
	buf[n] = '\0';
	*bufp = buf;
	return 0;
}

int hotmem_config_load(struct hotmem_config *cfg, const char *path, char *err,
		       size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf;
	int ret;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	ret = read_profile_stream(f, &buf);
	fclose(f);
	if (ret == -EFBIG)
		return hm_seterr(ret, err, errlen, "%s: larger than 1 MiB: not a profile", path);
	if (ret)
		return hm_seterr(ret, err, errlen, "%s: %s", path, strerror(-ret));
	ret = hotmem_config_parse_text(cfg, buf, err, errlen);
	if (ret && err && errlen) {
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
	}
	free(buf);
	return ret;
}

int hotmem_config_profile(struct hotmem_config *cfg, const char *name, char *err,
			  size_t errlen)
{
	struct stat st;

	err[0] = '\0';
	if (!strchr(name, '/') && !hotmem_config_builtin(cfg, name))
		return 0;
	if (stat(name, &st)) {
		int e = errno;

		if (e == ENOENT)
			snprintf(err, errlen,
				 "profile '%s': no built-in profile or file of that name "
				 "(hotmem --list-profiles names the built-in ones)", name);
		else
			snprintf(err, errlen, "profile '%s': %s", name, strerror(e));
		return -e;
	}
	/* before fopen(): a directory opens and reads as "too large" */
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "profile '%s': is a directory, not a profile file", name);
		return -EISDIR;
	}
	return hotmem_config_load(cfg, name, err, errlen);
}

static bool ranges_meet(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 < e2 && s2 < e1;
}

/* does @v's region meet one of the @key lines' @ranges?  Said in @err */
static bool virtio_mem_meets(const struct hm_virtio_mem_config *v, const struct hm_boot_range *ranges,
			     int n, const char *key, char *err, size_t errlen)
{
	for (int j = 0; j < n; j++)
		if (ranges_meet(v->addr, v->addr + v->size, ranges[j].start, ranges[j].end)) {
			seterr(err, errlen, "virtio_mem %s: region %#llx-%#llx meets %s %#llx-%#llx",
			       v->id, (unsigned long long)v->addr,
			       (unsigned long long)(v->addr + v->size - 1), key,
			       (unsigned long long)ranges[j].start,
			       (unsigned long long)ranges[j].end - 1);
			return true;
		}
	return false;
}

/* a profile's virtio-mem device against the machine: node, maxmem, what its region meets */
static int validate_virtio_mem(const struct hotmem_config *cfg, int i, const struct where *w,
			       char *err, size_t errlen)
{
	const struct hm_virtio_mem_config *v = &cfg->virtio_mem[i];
	uint64_t end = v->addr + v->size;
	/* the struct kept: a temporary's .s would dangle past this line */
	const struct at line = at_line(w ? w->virtio_mem[i] : 0);
	const char *at = line.s;
	char hint[96];

	if (v->nid < 0 || v->nid >= cfg->nr_possible_nodes)
		return seterr(err, errlen, "%svirtio_mem %s: node %d is not possible (%s)",
			      WN(w ? w->virtio_mem[i] : 0), v->id,
			      v->nid, node_hint(hint, sizeof(hint), v->nid, cfg->nr_possible_nodes));
	if (end > cfg->maxmem)
		return seterr(err, errlen, "%svirtio_mem %s: region %#llx-%#llx beyond maxmem", at,
			      v->id, (unsigned long long)v->addr, (unsigned long long)end - 1);
	if (virtio_mem_meets(v, cfg->boot, cfg->nr_boot_ranges, "ram", err, errlen) ||
	    virtio_mem_meets(v, cfg->hotplug, cfg->nr_hotplug, "hotplug", err, errlen))
		return at[0] ? prefix_err(at, err, errlen) : -EINVAL;
	for (int j = 0; j < i; j++) {
		const struct hm_virtio_mem_config *o = &cfg->virtio_mem[j];

		if (!strcmp(o->id, v->id))
			return seterr(err, errlen, "%svirtio_mem %s: duplicate device ID", at, v->id);
		if (ranges_meet(v->addr, end, o->addr, o->addr + o->size))
			return seterr(err, errlen, "%svirtio_mem %s: region meets virtio_mem %s's", at,
				      v->id, o->id);
	}
	return 0;
}

/*
 * cpu_nodes: possible nodes.  One without memory at boot is a memoryless
 * node with CPUs (x86's init_cpu_to_node() brings it online, QEMU's
 * -numa node,cpus= without memdev): mm_init.c's init_cpu_to_node()
 */
static int validate_cpu_nodes(const struct hotmem_config *cfg, const struct where *w, char *err,
			      size_t errlen)
{
	_Static_assert(HM_MAX_NUMNODES <= 64, "cpu_nodes is a 64-bit mask");
	char hint[96];

	/* the highest one: the nodes = that makes them all possible */
	for (int nid = HM_MAX_NUMNODES - 1; nid >= cfg->nr_possible_nodes; nid--)
		if (cfg->cpu_nodes >> nid & 1)
			return seterr(err, errlen, "%scpu_nodes: node %d is not a possible node (%s)",
				      WN(w ? w->cpu_nodes : 0), nid,
				      node_hint(hint, sizeof(hint), nid, cfg->nr_possible_nodes));
	return 0;
}

/*
 * A SLIT names possible nodes only, and every pair of them one way at
 * least (QEMU: "The distance between node %d and %d is missing").  A line
 * naming a node that is not possible is said first: a pair it leaves
 * missing follows from it.
 */
static int validate_distance(const struct hotmem_config *cfg, const struct where *w, char *err,
			     size_t errlen)
{
	const int nr = cfg->nr_possible_nodes;
	char hint[96];

	if (!cfg->slit)
		return 0;
	for (int i = 0; i < HM_MAX_NUMNODES; i++)
		for (int j = 0; j < HM_MAX_NUMNODES; j++)
			if (cfg->node_distance[i][j] && (i >= nr || j >= nr))
				return seterr(err, errlen, "%sdistance %d %d: node %d is not possible (%s)",
					      WN(w ? w->distance[i][j] : 0), i, j, i > j ? i : j,
					      node_hint(hint, sizeof(hint), i > j ? i : j, nr));
	for (int i = 0; i < nr; i++)
		for (int j = i + 1; j < nr; j++)
			if (!cfg->node_distance[i][j] && !cfg->node_distance[j][i])
				return seterr(err, errlen,
					      "distance: the distance between node %d and %d is missing",
					      i, j);
	return 0;
}

/* [start, end) physical bytes */
struct span {
	uint64_t start, end;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* @s's @n spans sorted, touching ones joined: how many are left */
static int spans_join(struct span *s, int n)
{
	int k = 0;

	qsort(s, (size_t)n, sizeof(*s), span_cmp);
	for (int i = 0; i < n; i++) {
		if (k && s[i].start <= s[k - 1].end) {
			if (s[i].end > s[k - 1].end)
				s[k - 1].end = s[i].end;
			continue;
		}
		s[k++] = s[i];
	}
	return k;
}

/* [@start, @end)'s whole pages, one more of @s's @n when there are any */
static void span_add_pages(struct span *s, int *n, uint64_t start, uint64_t end)
{
	start = (start + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	end &= ~(uint64_t)(PAGE_SIZE - 1);
	if (start < end)
		s[(*n)++] = (struct span){ start, end };
}

/*
 * The boot RAM @nr entries of an e820 table give, into @s (room for two
 * an entry), sorted and joined: 6.12 x86's setup_arch() runs
 * trim_bios_range() -- page 0 becomes reserved, RAM in the BIOS area
 * [640 KiB, 1 MiB) is removed -- before e820__memblock_setup() adds each
 * RAM entry to memblock and memblock_trim_memory() keeps its whole pages
 * (0x9fbff ends the low RAM at 0x9efff).  How many spans.
 */
static int e820_memblock_ram(const struct hm_e820_entry *t, int nr, struct span *s)
{
	int n = 0;

	for (int i = 0; i < nr; i++) {
		uint64_t start = t[i].start > PAGE_SIZE ? t[i].start : PAGE_SIZE, end = t[i].end;

		if (!t[i].ram)
			continue;
		span_add_pages(s, &n, start, end < BIOS_BEGIN ? end : BIOS_BEGIN);
		span_add_pages(s, &n, start > BIOS_END ? start : BIOS_END, end);
	}
	return spans_join(s, n);
}

/* the first part of [@start, @end) in none of @s's @n (sorted, joined) into @gap; false: none */
static bool span_gap(const struct span *s, int n, uint64_t start, uint64_t end, struct span *gap)
{
	uint64_t at = start;

	for (int i = 0; i < n && at < end; i++) {
		if (s[i].end <= at)
			continue;
		if (s[i].start > at) {
			*gap = (struct span){ at, s[i].start < end ? s[i].start : end };
			return true;
		}
		at = s[i].end;
	}
	*gap = (struct span){ at, end };
	return at < end;
}

/*
 * The e820 table against the boot ranges: the engine boots the ranges
 * and shows the table (firmware/memmap, /proc/iomem), so a table whose
 * RAM is not the ranges' would show a machine that is not the one
 * booted -- refused, naming the first line that disagrees: a ram range
 * with memory the table does not give as RAM, else a usable entry with
 * RAM no ram range has.  Without a table, the engine makes one of the
 * ranges (firmware_memmap.c): nothing to hold them against.
 */
static int validate_e820(const struct hotmem_config *cfg, const struct where *w, char *err,
			 size_t errlen)
{
	struct span table[2 * HM_MAX_E820], ram[HM_MAX_BOOT_RANGES], part[2], gap;
	int nt, nr = cfg->nr_boot_ranges;

	if (!cfg->nr_e820)
		return 0;
	nt = e820_memblock_ram(cfg->e820, cfg->nr_e820, table);
	for (int i = 0; i < nr; i++) {
		const struct hm_boot_range *r = &cfg->boot[i];

		ram[i] = (struct span){ r->start, r->end };
		if (span_gap(table, nt, r->start, r->end, &gap))
			return seterr(err, errlen,
				      "%sram %#llx-%#llx: %#llx-%#llx is not usable RAM of the e820 "
				      "table (its RAM in whole pages, page 0 and 640K-1M out, is the ram "
				      "ranges)", WI(ram, i), (unsigned long long)r->start,
				      (unsigned long long)r->end - 1, (unsigned long long)gap.start,
				      (unsigned long long)gap.end - 1);
	}
	nr = spans_join(ram, nr);
	for (int i = 0; i < cfg->nr_e820; i++) {
		const struct hm_e820_entry *e = &cfg->e820[i];
		int np = e820_memblock_ram(e, 1, part);

		for (int k = 0; k < np; k++)
			if (span_gap(ram, nr, part[k].start, part[k].end, &gap))
				return seterr(err, errlen,
					      "%se820 %#llx-%#llx usable: %#llx-%#llx is RAM in no ram "
					      "range (the ram ranges are the table's RAM in whole pages, "
					      "page 0 and 640K-1M out)", WI(e820, i),
					      (unsigned long long)e->start, (unsigned long long)e->end - 1,
					      (unsigned long long)gap.start,
					      (unsigned long long)gap.end - 1);
	}
	return 0;
}

/* the checks of a whole configuration; @w (may be NULL): the profile file's lines */
/* whether inclusive [@start, @end] lies in one boot RAM range */
static bool in_boot_ram(const struct hotmem_config *cfg, uint64_t start, uint64_t end)
{
	for (int i = 0; i < cfg->nr_boot_ranges; i++)
		if (start >= cfg->boot[i].start && end < cfg->boot[i].end)
			return true;
	return false;
}

/*
 * brk: the used brk, [PFN_ALIGN(__bss_stop), + brk) (x86 6.12
 * reserve_brk(); __brk_base is the page after bss), so only with a kernel
 * image, and in boot RAM as the image (e820_add_kernel_range() makes
 * [_text, _end) RAM, _end past the brk); no initrd over it.
 */
static int validate_brk(const struct hotmem_config *cfg, const struct where *w, char *err,
			size_t errlen)
{
	const struct hm_boot_reserve *br = &cfg->boot_reserve;
	uint64_t start = ALIGN(br->bss.end + 1, HM_PAGE_SIZE), last = start + br->brk - 1;

	if (!br->brk)
		return 0;
	if (!br->kernel_image)
		return seterr(err, errlen, "%sbrk %#llx: needs a kernel_image (the brk follows its bss)",
			      W(brk), (unsigned long long)br->brk);
	if (last < start || !in_boot_ram(cfg, start, last))
		return seterr(err, errlen, "%sbrk %#llx-%#llx: not in one boot RAM range (ram =)",
			      W(brk), (unsigned long long)start, (unsigned long long)last);
	if (br->initrd.end && br->initrd.start <= last && start <= br->initrd.end)
		return seterr(err, errlen, "%sinitrd %#llx-%#llx: over the brk %#llx-%#llx",
			      W(initrd), (unsigned long long)br->initrd.start,
			      (unsigned long long)br->initrd.end, (unsigned long long)start,
			      (unsigned long long)last);
	return 0;
}

/*
 * The boot reservations' places: the kernel image's parts in boot RAM in
 * vmlinux.lds.S's order (code, rodata, data, init, .smp_locks, bss with
 * .bss..decrypted at its end), _text page aligned; the initrd in boot RAM
 * beside the image, not over it.
 */
static int validate_boot_reserve(const struct hotmem_config *cfg, const struct where *w, char *err,
				 size_t errlen)
{
	const struct hm_boot_reserve *br = &cfg->boot_reserve;
	const struct hm_phys_range *seq[] = { &br->code, &br->rodata, &br->data, &br->init,
					      &br->smp_locks, &br->bss };
	static const char *const names[] = { "code", "rodata", "data", "init", "smp_locks", "bss" };
	uint64_t at = 0;

	if (br->kernel_image) {
		if (br->code.start % HM_PAGE_SIZE)
			return seterr(err, errlen, "%skernel_image: code= %#llx: not page aligned (_text is)",
				      W(kernel_image), (unsigned long long)br->code.start);
		if (!in_boot_ram(cfg, br->code.start, br->bss.end))
			return seterr(err, errlen,
				      "%skernel_image %#llx-%#llx: not in one boot RAM range (ram =)",
				      W(kernel_image), (unsigned long long)br->code.start,
				      (unsigned long long)br->bss.end);
		for (size_t i = 0; i < ARRAY_SIZE(seq); i++) {
			if (!seq[i]->end)
				continue; /* smp_locks: optional */
			if (seq[i]->start < at)
				return seterr(err, errlen,
					      "%skernel_image: %s= %#llx-%#llx: below the part before it "
					      "(the parts go code, rodata, data, init, smp_locks, bss, "
					      "each above the one before)",
					      W(kernel_image), names[i], (unsigned long long)seq[i]->start,
					      (unsigned long long)seq[i]->end);
			at = seq[i]->end + 1;
		}
		if (br->bss_decrypted_unused.end &&
		    (br->bss_decrypted_unused.start < br->bss.start ||
		     br->bss_decrypted_unused.end > br->bss.end))
			return seterr(err, errlen,
				      "%skernel_image: bss_decrypted_unused= %#llx-%#llx: not inside "
				      "bss= %#llx-%#llx", W(kernel_image),
				      (unsigned long long)br->bss_decrypted_unused.start,
				      (unsigned long long)br->bss_decrypted_unused.end,
				      (unsigned long long)br->bss.start, (unsigned long long)br->bss.end);
	}
	if (br->initrd.end) {
		if (!in_boot_ram(cfg, br->initrd.start, br->initrd.end))
			return seterr(err, errlen, "%sinitrd %#llx-%#llx: not in one boot RAM range",
				      W(initrd), (unsigned long long)br->initrd.start,
				      (unsigned long long)br->initrd.end);
		if (br->kernel_image && br->initrd.start <= br->bss.end &&
		    br->code.start <= br->initrd.end)
			return seterr(err, errlen, "%sinitrd %#llx-%#llx: over the kernel image",
				      W(initrd), (unsigned long long)br->initrd.start,
				      (unsigned long long)br->initrd.end);
	}
	return validate_brk(cfg, w, err, errlen);
}

static int validate(const struct hotmem_config *cfg, const struct where *w, char *err,
		    size_t errlen)
{
	uint64_t bs = cfg->block_size;
	char hint[96];
	int ret;

	if (bs < HM_MIN_BLOCK_SIZE || bs > HM_MAX_BLOCK_SIZE || (bs & (bs - 1)))
		return seterr(err, errlen,
			      "%sblock_size %#llx: must be a power of two from 128M to 2G",
			      W(block_size), (unsigned long long)bs);
	if (cfg->max_physmem_bits != 46 && cfg->max_physmem_bits != 52)
		return seterr(err, errlen, "%smax_physmem_bits %u: must be 46 or 52",
			      W(max_physmem_bits), cfg->max_physmem_bits);
	if (!cfg->maxmem || cfg->maxmem % bs)
		return seterr(err, errlen, "%smaxmem %#llx: must be a multiple of block_size %#llx",
			      at_line(w ? (w->maxmem ? w->maxmem : w->block_size) : 0).s,
			      (unsigned long long)cfg->maxmem, (unsigned long long)bs);
	if (cfg->maxmem > (1ULL << cfg->max_physmem_bits))
		return seterr(err, errlen, "%smaxmem %#llx: beyond MAX_PHYSMEM_BITS %u",
			      W(maxmem), (unsigned long long)cfg->maxmem, cfg->max_physmem_bits);
	if (cfg->maxmem > (1ULL << 46))
		return seterr(err, errlen,
			      "%smaxmem %#llx: this emulator maps at most 64 TiB of physical memory",
			      W(maxmem), (unsigned long long)cfg->maxmem);
	if (cfg->nr_possible_nodes < 1 || cfg->nr_possible_nodes > HM_MAX_NUMNODES)
		return seterr(err, errlen, "%snodes %d: must be 1..%d", W(nodes),
			      cfg->nr_possible_nodes, HM_MAX_NUMNODES);
	if (cfg->nr_boot_ranges < 1)
		return seterr(err, errlen, "no boot RAM (ram = START-END)");
	/*
	 * QEMU 7.2's -m: "invalid value of maxmem: maximum memory size (...)
	 * must be at least the initial memory size (...)", and more than it
	 * with slots ("memory slots were specified but maximum memory size
	 * (...) is equal to the initial memory size (...)")
	 */
	if (cfg->qemu_maxmem &&
	    (cfg->qemu_maxmem % PAGE_SIZE || cfg->qemu_maxmem < qemu_ram_size(cfg) ||
	     (cfg->ram_slots && cfg->qemu_maxmem == qemu_ram_size(cfg))))
		return seterr(err, errlen,
			      "%sqemu_maxmem %#llx: QEMU's -m maxmem= must be whole pages and %s boot "
			      "RAM's %#llx (QEMU's ram_size)",
			      W(qemu_maxmem), (unsigned long long)cfg->qemu_maxmem,
			      cfg->ram_slots ? "more than" : "at least",
			      (unsigned long long)qemu_ram_size(cfg));
	/* QEMU: "unsupported number of slots: N, max 256" */
	if (cfg->ram_slots > HM_ACPI_MAX_RAM_SLOTS)
		return seterr(err, errlen, "%sslots %u: unsupported number of slots, max %d",
			      W(slots), cfg->ram_slots, HM_ACPI_MAX_RAM_SLOTS);
	if ((unsigned int)cfg->nr_hotplug > cfg->ram_slots)
		return seterr(err, errlen, "%s%d hotplug ranges: each a DIMM, but only %u slots",
			      W(slots), cfg->nr_hotplug, cfg->ram_slots);
	if (cfg->init_threads < 1 || cfg->init_threads > 64)
		return seterr(err, errlen, "%sinit_threads %u: must be 1..64", W(init_threads),
			      cfg->init_threads);
	for (int i = 0; i < cfg->nr_boot_ranges; i++) {
		const struct hm_boot_range *r = &cfg->boot[i];

		if (r->start % PAGE_SIZE || r->end % PAGE_SIZE || r->end <= r->start)
			return seterr(err, errlen, "%sram %#llx-%#llx: not page aligned",
				      WI(ram, i), (unsigned long long)r->start,
				      (unsigned long long)r->end - 1);
		if (r->end > cfg->maxmem)
			return seterr(err, errlen, "%sram %#llx-%#llx: beyond maxmem",
				      WI(ram, i), (unsigned long long)r->start,
				      (unsigned long long)r->end - 1);
		if (r->nid < 0 || r->nid >= cfg->nr_possible_nodes)
			return seterr(err, errlen, "%sram %#llx-%#llx: node %d is not possible (%s)",
				      WN(w ? w->ram[i] : 0), (unsigned long long)r->start,
				      (unsigned long long)r->end - 1, r->nid,
				      node_hint(hint, sizeof(hint), r->nid, cfg->nr_possible_nodes));
		for (int j = 0; j < i; j++) {
			const struct hm_boot_range *o = &cfg->boot[j];

			if (r->start < o->end && o->start < r->end)
				return seterr(err, errlen, "%sram %#llx-%#llx overlaps another range",
					      WI(ram, i), (unsigned long long)r->start,
					      (unsigned long long)r->end - 1);
		}
	}
	ret = validate_e820(cfg, w, err, errlen);
	if (ret)
		return ret;
	if (cfg->nr_virtio_mem < 0 || cfg->nr_virtio_mem > HM_MAX_PROFILE_VIRTIO_MEM)
		return seterr(err, errlen, "virtio_mem: at most %d devices", HM_MAX_PROFILE_VIRTIO_MEM);
	for (int i = 0; i < cfg->nr_virtio_mem; i++) {
		ret = validate_virtio_mem(cfg, i, w, err, errlen);
		if (ret)
			return ret;
	}
	if (cfg->memhp_default_online_type < HM_MMOP_OFFLINE ||
	    cfg->memhp_default_online_type > HM_MMOP_ONLINE_MOVABLE)
		return seterr(err, errlen, "memhp_default_state: invalid");
	ret = validate_cpu_nodes(cfg, w, err, errlen);
	if (!ret)
		ret = hugepages_check_nodes(cfg->hugepages_node, cfg->nr_possible_nodes, err,
					    errlen);
	if (!ret)
		ret = hugepages_check_online(cfg, err, errlen);
	if (!ret)
		ret = validate_distance(cfg, w, err, errlen);
	return ret ? ret : validate_boot_reserve(cfg, w, err, errlen);
}

int hotmem_config_validate(const struct hotmem_config *cfg, char *err, size_t errlen)
{
	return validate(cfg, NULL, err, errlen);
}

/* ------------------------------------------------------------------ */
/* the machine a configuration describes, canonically                  */
/* ------------------------------------------------------------------ */

struct describe_buf {
	char *buf;
	size_t len, n; /* @n: what the whole text needs, as snprintf() counts */
};

static void __attribute__((format(printf, 2, 3))) describe_line(struct describe_buf *d,
								 const char *fmt, ...)
{
	size_t at = d->n < d->len ? d->n : d->len;
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(d->buf ? d->buf + at : NULL, d->len - at, fmt, ap);
	va_end(ap);
	if (w > 0)
		d->n += (size_t)w;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void describe_ranges(struct describe_buf *d, const char *key, const struct hm_boot_range *r,
			    int nr)
{
	for (int i = 0; i < nr; i++)
		describe_line(d, "%s = %#llx-%#llx node=%d\n", key, (unsigned long long)r[i].start,
			      (unsigned long long)r[i].end - 1, r[i].nid);
}

static void describe_part(char *buf, size_t len, size_t *n, const char *name,
			  const struct hm_phys_range *r)
{
	if (r->end && *n < len)
		*n += (size_t)snprintf(buf + *n, len - *n, " %s=%#llx-%#llx", name,
				       (unsigned long long)r->start, (unsigned long long)r->end);
}

/* the boot reservations, each only when set (a machine without them has no line) */
static void describe_boot_reserve(struct describe_buf *d, const struct hotmem_config *cfg)
{
	const struct hm_boot_reserve *br = &cfg->boot_reserve;

	if (br->kernel_image) {
		char parts[512];
		size_t n = 0;

		parts[0] = '\0';
		describe_part(parts, sizeof(parts), &n, "code", &br->code);
		describe_part(parts, sizeof(parts), &n, "rodata", &br->rodata);
		describe_part(parts, sizeof(parts), &n, "data", &br->data);
		describe_part(parts, sizeof(parts), &n, "init", &br->init);
		describe_part(parts, sizeof(parts), &n, "smp_locks", &br->smp_locks);
		describe_part(parts, sizeof(parts), &n, "bss", &br->bss);
		describe_part(parts, sizeof(parts), &n, "bss_decrypted_unused",
			      &br->bss_decrypted_unused);
		describe_line(d, "kernel_image =%s\n", parts);
	}
	if (br->initrd.end)
		describe_line(d, "initrd = %#llx-%#llx\n", (unsigned long long)br->initrd.start,
			      (unsigned long long)br->initrd.end);
	if (br->brk)
		describe_line(d, "brk = %#llx\n", (unsigned long long)br->brk);
	if (br->realmode)
		describe_line(d, "realmode = yes\n");
	if (br->swiotlb)
		describe_line(d, "swiotlb = %#llx\n", (unsigned long long)br->swiotlb);
	if (br->boot_reserved)
		describe_line(d, "boot_reserved = %#llx\n", (unsigned long long)br->boot_reserved);
}

/* the firmware's table when the machine has one (not when the engine makes it of the ranges) */
static void describe_e820(struct describe_buf *d, const struct hotmem_config *cfg)
{
	for (int i = 0; i < cfg->nr_e820; i++)
		describe_line(d, "e820 = %#llx-%#llx %s\n", (unsigned long long)cfg->e820[i].start,
			      (unsigned long long)cfg->e820[i].end - 1,
			      hotmem_e820_word(&cfg->e820[i]));
}

static void describe_devices(struct describe_buf *d, const struct hotmem_config *cfg)
{
	for (int i = 0; i < cfg->nr_virtio_mem; i++) {
		const struct hm_virtio_mem_config *v = &cfg->virtio_mem[i];

		describe_line(d, "virtio_mem = id=%s memaddr=%#llx size=%#llx requested-size=%#llx "
				 "block-size=%#llx node=%d\n", v->id, (unsigned long long)v->addr,
			      (unsigned long long)v->size, (unsigned long long)v->requested_size,
			      (unsigned long long)v->block_size, v->nid);
	}
	for (int i = 0; i < cfg->nr_block_states; i++) {
		const struct hm_block_run *b = &cfg->block_state[i];

		if (b->online_type == HM_MMOP_OFFLINE)
			describe_line(d, "offline = %lu-%lu\n", b->first, b->last);
		else
			describe_line(d, "online = %lu-%lu %s\n", b->first, b->last,
				      hmu_online_type_name(b->online_type));
	}
}

/* kernelcore=/movablecore= when given: the percentage the kernel reads first, else the size */
static void describe_core(struct describe_buf *d, const char *name, unsigned long pages,
			  unsigned long percent)
{
	if (percent)
		describe_line(d, "cmdline = \"%s=%lu%%\"\n", name, percent);
	else if (pages)
		describe_line(d, "cmdline = \"%s=%llu\"\n", name,
			      (unsigned long long)pages << HM_PAGE_SHIFT);
}

/* the kernel command line's parameters we model, one a line, by the kernel's names */
/*
 * hugepages= as given, set-only (a file saved before it has no line and
 * none was given then): the boot's pool is the machine's (reread30 R6:
 * a profile file's "cmdline = \"hugepages=8\"" added after a save was
 * not seen by the state file's check).  hugepagesz=2M and
 * default_hugepagesz=2M name the one hstate there is, hugepages=0 no
 * page: no line.
 */
static void describe_hugepages(struct describe_buf *d, const struct hotmem_config *cfg)
{
	char list[HM_MAX_NUMNODES * 24];
	size_t n = 0;

	if (!(cfg->hugetlb_parsed & HUGETLB_PAGES) || !cfg->hugepages)
		return; /* hugepages=0 boots the machine no word boots */
	for (int nid = 0; nid < HM_MAX_NUMNODES && n < sizeof(list); nid++)
		if (cfg->hugepages_node[nid])
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%d:%lu", n ? "," : "",
					      nid, cfg->hugepages_node[nid]);
	if (n)
		describe_line(d, "cmdline = \"hugepages=%s\"\n", list);
	else
		describe_line(d, "cmdline = \"hugepages=%lu\"\n", cfg->hugepages);
}

static void describe_cmdline(struct describe_buf *d, const struct hotmem_config *cfg)
{
	describe_line(d, "cmdline = \"memhp_default_state=%s\"\n",
		      hmu_online_type_name(cfg->memhp_default_online_type));
	if (cfg->movable_node)
		describe_line(d, "cmdline = \"movable_node\"\n");
	describe_core(d, "kernelcore", cfg->required_kernelcore, cfg->required_kernelcore_percent);
	describe_core(d, "movablecore", cfg->required_movablecore,
		      cfg->required_movablecore_percent);
	describe_line(d, "cmdline = \"memory_hotplug.memmap_on_memory=%s\"\n",
		      hotmem_memmap_on_memory_name(cfg->memmap_on_memory));
	describe_line(d, "cmdline = \"memory_hotplug.online_policy=%s\"\n",
		      hotmem_online_policy_name(cfg->online_policy));
	describe_line(d, "cmdline = \"memory_hotplug.auto_movable_ratio=%u\"\n",
		      cfg->auto_movable_ratio);
	describe_line(d, "cmdline = \"memory_hotplug.auto_movable_numa_aware=%s\"\n",
		      cfg->auto_movable_numa_aware ? "Y" : "N");
	describe_line(d, "cmdline = \"hugetlb_free_vmemmap=%s\"\n",
		      cfg->hugetlb_free_vmemmap ? "on" : "off");
	describe_hugepages(d, cfg);
	describe_line(d, "cmdline = \"virtio_mem.unplug_online=%s\"\n",
		      cfg->virtio_mem_unplug_online ? "Y" : "N");
	describe_line(d, "cmdline = \"virtio_mem.force_bbm=%s\"\n",
		      cfg->virtio_mem_force_bbm ? "Y" : "N");
	describe_line(d, "cmdline = \"virtio_mem.bbm_block_size=%llu\"\n",
		      (unsigned long long)cfg->virtio_mem_bbm_block_size);
	if (cfg->host_max_map_count)
		describe_line(d, "cmdline = \"hotmem.max_map_count=%lu\"\n", cfg->host_max_map_count);
	if (cfg->host_reserve_given)
		describe_line(d, "cmdline = \"hotmem.host_reserve=%llu\"\n",
			      (unsigned long long)cfg->host_reserve);
}

size_t hotmem_config_describe(const struct hotmem_config *cfg, char *buf, size_t len)
{
	struct describe_buf d = { buf, buf ? len : 0, 0 };
	char nodes[4 * HM_MAX_NUMNODES];

	if (d.len)
		buf[0] = '\0';
	describe_line(&d, "block_size = %#llx\n", (unsigned long long)cfg->block_size);
	describe_line(&d, "max_physmem_bits = %u\n", cfg->max_physmem_bits);
	describe_line(&d, "maxmem = %#llx\n", (unsigned long long)cfg->maxmem);
	if (cfg->qemu_maxmem)
		describe_line(&d, "qemu_maxmem = %#llx\n", (unsigned long long)cfg->qemu_maxmem);
	describe_line(&d, "nodes = %d\n", cfg->nr_possible_nodes);
	if (cfg->cpu_nodes) {
		hotmem_nodelist_format(cfg->cpu_nodes, nodes, sizeof(nodes));
		describe_line(&d, "cpu_nodes = %s\n", nodes);
	}
	for (int s = 0; cfg->slit && s < HM_MAX_NUMNODES; s++)
		for (int t = 0; t < HM_MAX_NUMNODES; t++)
			if (s != t && cfg->node_distance[s][t])
				describe_line(&d, "distance = %d %d %u\n", s, t,
					      cfg->node_distance[s][t]);
	describe_line(&d, "slots = %u\n", cfg->ram_slots);
	describe_line(&d, "device_memory = %s\n", cfg->device_memory_qemu ? "qemu" : "after-ram");
	describe_ranges(&d, "ram", cfg->boot, cfg->nr_boot_ranges);
	describe_e820(&d, cfg);
	describe_boot_reserve(&d, cfg);
	describe_line(&d, "probe = %s\n", yes_no(cfg->arch_memory_probe));
	describe_line(&d, "memory_failure = %s\n", yes_no(cfg->memory_failure));
	describe_line(&d, "crash_hotplug = %s\n", yes_no(cfg->crash_hotplug));
	describe_line(&d, "pm_advanced_debug = %s\n", yes_no(cfg->pm_advanced_debug));
	describe_line(&d, "kernel_alloc = %s\n",
		      hotmem_kernel_alloc_name(cfg->kernel_alloc));
	describe_line(&d, "kernel_alloc_seed = %lu\n", cfg->kernel_alloc_seed);
	describe_cmdline(&d, cfg);
	describe_ranges(&d, "hotplug", cfg->hotplug, cfg->nr_hotplug);
	describe_devices(&d, cfg);
	if (cfg->debug_fail_memmap)
		describe_line(&d, "debug_fail_memmap_section = %lu\n",
			      cfg->debug_fail_memmap_section);
	return d.n;
}

char *hotmem_config_describe_alloc(const struct hotmem_config *cfg)
{
	size_t n = hotmem_config_describe(cfg, NULL, 0) + 1;
	char *text = malloc(n);

	if (text)
		hotmem_config_describe(cfg, text, n);
	return text;
}
