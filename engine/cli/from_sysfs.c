// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem profile --from-sysfs DIR: a profile reproducing the machine whose
 * memory sysfs is under DIR (a live "/", or a dump in util-linux's
 * tests/ts/lsmem/mk-input.sh layout: DIR/sys/devices/system/memory/...,
 * optionally .../node, sys/module/memory_hotplug/parameters, proc/iomem,
 * proc/cmdline and sys/kernel/mm/hugepages, as hotmemctl export writes
 * them, and dmesg: the boot reservations, from_sysfs_boot.c), and what
 * it could not infer.
 *
 * sysfs shows blocks, not how they came: which memory was there at boot
 * and which was hot-added is inferred (x86: boot RAM runs from 0 up to the
 * 32-bit PCI hole and continues at 4 GiB; a block found offline or online
 * Movable was hot-added), and said so.
 *
 * virtio-mem devices are found as the kernel shows them (6.12, as a 6.12
 * guest captured in tests/fixtures/virtio-mem shows; the later patches to
 * drivers/virtio/virtio_mem.c read keep these names, a 6.18 guest was not
 * captured): virtio_mem_create_resource() requests the device's region
 * in /proc/iomem under the device's name, dev_name() = "virtioN"
 * (IORESOURCE_SYSTEM_RAM | IORESOURCE_EXCLUSIVE), and the driver adds
 * memory below it with add_memory_driver_managed(), "System RAM
 * (virtio_mem)" (IORESOURCE_SYSRAM_DRIVER_MANAGED, MHP_MERGE_RESOURCE);
 * sys/bus/virtio/devices/virtioN has device 0x0018 (VIRTIO_ID_MEM) and
 * driver -> .../virtio_mem.  Their blocks are in a dynamic memory group,
 * which sysfs does not show; they are not DIMMs.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hotmem.h"
#include "uapi/hmuapi.h"
#include "from_sysfs.h"
#include "from_sysfs_boot.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

/* VIRTIO_ID_MEM, include/uapi/linux/virtio_ids.h */
#define VIRTIO_ID_MEM 24
/* QEMU's default virtio-mem block-size on x86 (the THP size) */
#define VMEM_QEMU_BLOCK_SIZE (2 * MiB)
/* virtio_mem.c: VIRTIO_MEM_DEFAULT_OFFLINE_THRESHOLD */
#define VMEM_OFFLINE_THRESHOLD GiB
#define MAX_VMEM 16
/* System RAM ranges of proc/iomem kept: e820's RAM entries and the DIMMs' */
#define MAX_RAM 64
#define PAGE_SIZE_4K 4096ULL

struct found_block {
	bool present, online;
	uint64_t nodes;	/* every node it is linked with: bit N for nodeN (its node: block_nid()) */
	int vmem;	/* 1 + the index of the virtio-mem device it is in, 0: none */
	unsigned long at;	/* the block's id in the profile (a virtio-mem block's: see vmem_at()) */
	char zone[16];	/* valid_zones of an online block: its zone */
	char fw[32];	/* firmware_node's ACPI memory device ("PNP0C80:00"): a DIMM's block; "" none */
};

/* a virtio-mem device: its region in /proc/iomem and what is added below it */
struct found_vmem {
	char name[32];		/* "virtioN", the region's resource name */
	uint64_t start, end;	/* the region, end exclusive */
	uint64_t plugged;	/* "System RAM (virtio_mem)" below it */
	int depth;		/* in the resource tree: 0, a child of iomem_resource */
	char parent[48];	/* the resource it lies in ("Reserved", "0000:00:05.0"), "" none */
	int nid;
};

/* a sys/firmware/memmap/N entry of the dump */
struct found_fwmap {
	unsigned long nr;	/* N: the order entries came in, never reused */
	uint64_t start, end;	/* end exclusive */
	char type[48];		/* "System RAM", "Reserved", "ACPI Tables", ... */
	bool hot;		/* firmware_map_add_hotplug()'s, not the firmware's table */
};
/* twice a profile's e820 lines: the DIMMs' entries besides */
#define MAX_FWMAP (2 * HM_MAX_E820)

/*
 * @e as an e820 entry, its type by its name as the engine reads it
 * (hotmem_e820_from_name(): 6.12 e820_type_to_string()'s); false for a
 * name hotmem does not model, @t then a plain reserved entry.  The one
 * way the dump's entries are told RAM or not.
 */
static bool fwmap_e820(const struct found_fwmap *e, struct hm_e820_entry *t)
{
	*t = (struct hm_e820_entry){ .start = e->start, .end = e->end };
	return hotmem_e820_from_name(e->type, t);
}

static bool fwmap_ram(const struct found_fwmap *e)
{
	struct hm_e820_entry t;

	return fwmap_e820(e, &t) && t.ram;
}

struct found {
	const char *dir;
	uint64_t block_size;
	unsigned long nr;	/* highest block id + 1 */
	struct found_block *blk;
	int nr_nodes;		/* node/possible, else highest nid + 1 */
	uint64_t cpu_nodes;	/* the nodes with CPUs (bit N: node N); 0: not in the tree */
	bool boot_classified_by_rule;
	bool fw_links;		/* some memoryN/firmware_node names an ACPI memory device */
	int nr_vmem;
	struct found_vmem vmem[MAX_VMEM];
	int nr_ram;		/* proc/iomem's System RAM at any depth, with addresses */
	struct { uint64_t start, end; } ram[MAX_RAM];	/* end exclusive */
	int nr_fwmap;		/* sys/firmware/memmap's entries, by N */
	struct found_fwmap fwmap[MAX_FWMAP];
	bool fwmap_dmesg;	/* ... none in the dump: dmesg's BIOS-e820 lines instead */
	struct fs_boot boot;	/* the boot reservations found (from_sysfs_boot.c) */
	char **profile_text;	/* write_profile_calibrated()'s memstream buffer */
	char line[2048];	/* the cmdline key's line (print_cmdline(), vm_sysctl_append()) */
	FILE *notes;		/* "could not infer" lines, also in the profile */
	char *notes_buf;
	size_t notes_len;
};

/* DIR/REL into @buf, the first line, newline cut; -errno */
static int read_line(const struct found *f, const char *rel, char *buf, size_t len)
{
	char path[4096];
	FILE *fp;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", f->dir, rel);
	fp = fopen(path, "re");
	if (!fp)
		return -errno;
	if (!fgets(buf, (int)len, fp))
		ret = ferror(fp) ? -EIO : -ENODATA;
	fclose(fp);
	if (!ret)
		buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

static bool exists(const struct found *f, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", f->dir, rel);
	return !access(path, F_OK);
}

/*
 * @name is @prefix and a decimal number, nothing after it ("memory12",
 * "node1", "virtio0", as the kernel names them): the number in @n
 */
static bool numbered(const char *name, const char *prefix, unsigned long *n)
{
	size_t len = strlen(prefix);
	char *end;

	if (strncmp(name, prefix, len) || !isdigit((unsigned char)name[len]))
		return false;
	errno = 0;
	*n = strtoul(name + len, &end, 10);
	return !*end && !errno;
}

/*
 * memoryN/nodeM (a symlink in sysfs and in a cp -r dump): bit M for each.
 * A boot block whose memory is on two nodes has one for each (6.12's
 * node_dev_init(), register_mem_block_under_node_early()).
 */
static uint64_t block_nodes(const struct found *f, unsigned long id)
{
	char path[4096];
	struct dirent *de;
	uint64_t nodes = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/sys/devices/system/memory/memory%lu", f->dir, id);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		unsigned long nid;

		if (numbered(de->d_name, "node", &nid) && nid < HM_MAX_NUMNODES)
			nodes |= 1ULL << nid;
	}
	closedir(d);
	return nodes;
}

/*
 * A block's node: of several, the highest, the one a block spanning them
 * shows (memory_block_add_nid()); -1 for none.  Read from its links, never
 * kept beside them.
 */
static int block_nid(const struct found_block *b)
{
	return b->nodes ? 63 - __builtin_clzll(b->nodes) : -1;
}

/*
 * memoryN/firmware_node: acpi_bind_memory_blocks() (drivers/acpi/
 * acpi_memhotplug.c, 6.12) binds the blocks of an ACPI memory device --
 * a DIMM slot, PNP0C80:xx -- to it when acpi_memory_enable_device() adds
 * its memory, acpi_bind_one() making the link; boot memory the firmware
 * map (e820) gave has no ACPI device behind it and no link
 * (drivers/base/memory.c creates none for it).  The device's name into
 * @b->fw, "" for none or a link to something else.
 */
static void block_firmware_node(struct found *f, unsigned long id, struct found_block *b)
{
	char path[4096], link[4096];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/sys/devices/system/memory/memory%lu/firmware_node", f->dir,
		 id);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strncmp(base, "PNP0C80:", 8))
		return;
	snprintf(b->fw, sizeof(b->fw), "%.31s", base);
	f->fw_links = true;
}

static int scan_blocks(struct found *f)
{
	char path[4096], buf[128];
	struct dirent *de;
	unsigned long id, max = 0;
	bool any = false;
	DIR *d;

	snprintf(path, sizeof(path), "%s/sys/devices/system/memory", f->dir);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (numbered(de->d_name, "memory", &id) && id >= max) {
			max = id;
			any = true;
		}
	closedir(d);
	if (!any)
		return -ENOENT;
	f->nr = max + 1;
	f->blk = calloc(f->nr, sizeof(*f->blk));
	if (!f->blk)
		return -ENOMEM;
	for (id = 0; id < f->nr; id++) {
		struct found_block *b = &f->blk[id];

		snprintf(path, sizeof(path), "sys/devices/system/memory/memory%lu/state", id);
		if (read_line(f, path, buf, sizeof(buf)))
			continue;
		b->present = true;
		b->at = id;
		b->online = !strcmp(buf, "online");
		b->nodes = block_nodes(f, id);
		block_firmware_node(f, id, b);
		snprintf(path, sizeof(path), "sys/devices/system/memory/memory%lu/valid_zones", id);
		if (b->online && !read_line(f, path, buf, sizeof(buf)))
			snprintf(b->zone, sizeof(b->zone), "%.15s", buf);
	}
	return 0;
}

static void note(struct found *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct found *f, const char *fmt, ...)
{
	va_list ap;

	if (!f->notes)
		return;
	va_start(ap, fmt);
	vfprintf(f->notes, fmt, ap);
	va_end(ap);
	fputc('\n', f->notes);
}

/*
 * The other side of the links: sys/devices/system/node/nodeK/memoryN,
 * one in each node a block's memory is on (a dump may hold node/ and not
 * every memoryN/nodeK).
 */
static void node_links(struct found *f)
{
	char path[4096];
	struct dirent *de;
	DIR *d;

	for (int nid = 0; nid < HM_MAX_NUMNODES; nid++) {
		snprintf(path, sizeof(path), "%s/sys/devices/system/node/node%d", f->dir, nid);
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			unsigned long id;

			if (numbered(de->d_name, "memory", &id) && id < f->nr && f->blk[id].present)
				f->blk[id].nodes |= 1ULL << nid;
		}
		closedir(d);
	}
}

static uint64_t blk_start(const struct found *f, unsigned long id)
{
	return (uint64_t)id * f->block_size;
}

/*
 * sys/bus/virtio/devices/NAME: 1 when it is a virtio-mem device (device
 * 0x0018, or bound to the virtio_mem driver), 0 when it is another
 * virtio device, -1 when the tree does not hold it.
 */
static int virtio_is_mem(const struct found *f, const char *name)
{
	char rel[256], path[4096], link[4096], buf[32];
	const char *base;
	ssize_t n;

	snprintf(rel, sizeof(rel), "sys/bus/virtio/devices/%s/device", name);
	if (!read_line(f, rel, buf, sizeof(buf)))
		return strtoul(buf, NULL, 0) == VIRTIO_ID_MEM;
	snprintf(path, sizeof(path), "%s/sys/bus/virtio/devices/%s/driver", f->dir, name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	base = strrchr(link, '/');
	return !strcmp(base ? base + 1 : link, "virtio_mem");
}

/* a virtio-mem device in sys/bus/virtio, but no proc/iomem to find its region in: said */
static void note_vmem_without_iomem(struct found *f)
{
	char path[4096];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/sys/bus/virtio/devices", f->dir);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "virtio", 6) && virtio_is_mem(f, de->d_name) > 0)
			note(f, "%s is a virtio-mem device (sys/bus/virtio) but proc/iomem is not in "
				"the tree: its region is not known, its memory taken as DIMMs (put "
				"/proc/iomem, read as root, into the dump)", de->d_name);
	closedir(d);
}

/* "  START-END : NAME": the depth (two spaces a level) and the fields; false if not that */
static bool iomem_line(const char *l, int *depth, uint64_t *start, uint64_t *end, char *name,
		       size_t len)
{
	unsigned long long a, b;
	int sp = (int)strspn(l, " "), at = 0;

	if (sscanf(l + sp, "%llx-%llx : %n", &a, &b, &at) != 2 || !at || b < a)
		return false;
	*depth = sp / 2;
	*start = a;
	*end = b + 1;
	snprintf(name, len, "%s", l + sp + at);
	name[strcspn(name, "\n")] = '\0';
	return true;
}

/*
 * A resource the kernel flags IORESOURCE_SYSTEM_RAM, by its name: "System
 * RAM" (the e820 table's, register_memory_resource()'s) or "System RAM
 * (DRIVER)" (add_memory_driver_managed() refuses any other name, 6.12).
 * The Kernel code/data lines have the flag too but lie in System RAM.
 */
static bool iomem_system_ram(const char *name)
{
	return !strcmp(name, "System RAM") || !strncmp(name, "System RAM (", 12);
}

/*
 * System RAM [@start, @end) at any depth of proc/iomem, as 6.12's
 * walk_system_ram_range() finds it (find_next_iomem_res() walks the
 * whole tree, first_lvl false): memory added inside a reserved range
 * nests under it (__request_region_locked() descends into a resource not
 * busy).  The tree is read in address order (a child after its parent):
 * a range inside the last one, or across its end, extends it; ranges
 * that only touch stay apart, as the resources are.
 */
static void iomem_ram_add(struct found *f, uint64_t start, uint64_t end)
{
	typeof(f->ram[0]) *last = f->nr_ram ? &f->ram[f->nr_ram - 1] : NULL;

	if (last && start < last->end) {
		if (end > last->end)
			last->end = end;
		return;
	}
	if (f->nr_ram < MAX_RAM)
		f->ram[f->nr_ram++] = (typeof(f->ram[0])){ start, end };
}

/*
 * An e820 range's resource that memory requested later nests under, by
 * its name (6.12 e820_type_to_string()): the types do_mark_busy() leaves
 * not busy -- reserved, soft reserved, PRAM, PMEM -- where
 * __request_region_locked() descends into them.  Below 1 MiB every range
 * is busy, and nothing is requested there.
 */
static bool iomem_e820_not_busy(const char *name)
{
	return !strcmp(name, "Reserved") || !strcmp(name, "Soft Reserved") ||
	       !strcmp(name, "Persistent Memory (legacy)") || !strcmp(name, "Persistent Memory");
}

/*
 * A "virtioN" region without sys/bus/virtio in the tree to say whose it
 * is: one the driver added memory to is virtio-mem's.  One with nothing
 * below it -- a virtio-mem device with nothing plugged, requested-size 0,
 * the usual start of a virtio-mem VM -- is too when it is a child of
 * iomem_resource itself: virtio_mem_create_resource() (6.12) requests the
 * device's region there (QEMU puts device memory outside the PCI windows),
 * or of a reserved e820 range holding it whole, where
 * __request_region_locked() nests it (a firmware that reserves its device
 * memory; the engine so since a08568da); the other "virtioN" region a
 * guest has, virtio-fs's DAX window (virtio_fs_setup_dax():
 * devm_request_mem_region(..., dev_name())), lies in its PCI device's
 * BAR, below "PCI Bus ...".  All said.
 */
static bool bare_region_is_vmem(struct found *f, const struct found_vmem *v)
{
	if (v->plugged || virtio_is_mem(f, v->name) >= 0)
		return true;
	if (!v->depth) {
		note(f, "%s: a top-level region in proc/iomem with no memory added below it, and no "
			"sys/bus/virtio in the tree to say whose: taken as a virtio-mem device with "
			"nothing plugged (virtio_mem_create_resource()'s region; virtio-fs's DAX window, "
			"also named virtioN, lies inside its PCI device's BAR)", v->name);
		return true;
	}
	if (v->depth == 1 && iomem_e820_not_busy(v->parent)) {
		note(f, "%s: a region inside a top-level %s range in proc/iomem with no memory added "
			"below it, and no sys/bus/virtio in the tree to say whose: taken as a virtio-mem "
			"device with nothing plugged (virtio_mem_create_resource()'s region nests in a "
			"reserved e820 range; virtio-fs's DAX window lies inside its PCI device's BAR)",
		     v->name, v->parent);
		return true;
	}
	note(f, "%s (%#llx-%#llx): a region inside another in proc/iomem with no memory added "
		"below it, and no sys/bus/virtio in the tree to say whose (a virtio-fs DAX window "
		"is so): not taken as a virtio-mem device; if it is one, add \"virtio_mem = id=%s "
		"memaddr=%#llx size=%#llx requested-size=0\"", v->name,
	     (unsigned long long)v->start, (unsigned long long)v->end - 1, v->name,
	     (unsigned long long)v->start, (unsigned long long)(v->end - v->start));
	return false;
}

/*
 * The virtio-mem devices in DIR/proc/iomem: a "virtioN" region that
 * sys/bus/virtio says is virtio-mem, or, without sys/bus/virtio in the
 * tree, that holds "System RAM (virtio_mem)" or is a top-level region or
 * one in a reserved range (bare_region_is_vmem()); what the driver added below it is its plugged
 * memory.
 */
static void scan_iomem(struct found *f)
{
	char path[4096], line[512], name[256], top[48] = "";
	struct found_vmem *cur = NULL;
	int depth, cur_depth = 0, bus;
	bool any_addr = false, any = false;
	uint64_t start, end;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/proc/iomem", f->dir);
	fp = fopen(path, "re");
	if (!fp) {
		note_vmem_without_iomem(f);
		return;
	}
	while (fgets(line, sizeof(line), fp)) {
		unsigned long n;

		if (!iomem_line(line, &depth, &start, &end, name, sizeof(name)))
			continue;
		any = true;
		any_addr |= start != 0;
		if (iomem_system_ram(name))
			iomem_ram_add(f, start, end);
		if (!depth)
			snprintf(top, sizeof(top), "%.47s", name);
		if (cur && depth > cur_depth) {
			if (!strcmp(name, "System RAM (virtio_mem)"))
				cur->plugged += end - start;
			continue;
		}
		cur = NULL;
		if (!numbered(name, "virtio", &n))
			continue;
		bus = virtio_is_mem(f, name);
		if (!bus)
			continue;
		if (f->nr_vmem >= MAX_VMEM) {
			note(f, "%s: more than %d virtio-mem devices; its memory taken as DIMMs", name,
			     MAX_VMEM);
			continue;
		}
		cur = &f->vmem[f->nr_vmem++];
		snprintf(cur->name, sizeof(cur->name), "%.31s", name);
		cur->start = start;
		cur->end = end;
		cur->depth = depth;
		snprintf(cur->parent, sizeof(cur->parent), "%s", depth == 1 ? top : "");
		cur->nid = -1;
		cur_depth = depth;
	}
	fclose(fp);
	if (any && !any_addr) {
		f->nr_ram = 0;
		if (f->nr_vmem)
			note(f, "proc/iomem shows no addresses (read without CAP_SYS_ADMIN): the "
				"virtio-mem devices' regions not known, their memory taken as DIMMs");
		f->nr_vmem = 0;
		return;
	}
	for (int i = 0; i < f->nr_vmem; i++)
		if (!bare_region_is_vmem(f, &f->vmem[i])) {
			memmove(&f->vmem[i], &f->vmem[i + 1],
				(size_t)(f->nr_vmem - i - 1) * sizeof(f->vmem[0]));
			f->nr_vmem--;
			i--;
		}
}

static int fwmap_cmp(const void *a, const void *b)
{
	const struct found_fwmap *x = a, *y = b;

	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

/* DIR/sys/firmware/memmap/N/REL, a "%#llx" of drivers/firmware/memmap.c's start_show()/end_show() */
static bool fwmap_addr(const struct found *f, unsigned long n, const char *rel, uint64_t *v)
{
	char path[64], buf[64], *end;

	snprintf(path, sizeof(path), "sys/firmware/memmap/%lu/%s", n, rel);
	if (read_line(f, path, buf, sizeof(buf)))
		return false;
	errno = 0;
	*v = strtoull(buf, &end, 16);
	return end != buf && !*end && !errno;
}

/*
 * Without sys/firmware/memmap in the dump: the firmware's table as the
 * boot log printed it (6.12 e820__print_table()'s BIOS-e820 lines,
 * fs_bios_e820()), each line an entry of the firmware's, named as
 * firmware/memmap would name it (a word hotmem does not model kept as
 * said: print_e820() writes it reserved and says so).  The same table:
 * firmware_map_add_early() adds e820_table_firmware, which those lines
 * print.  Nothing when dmesg has none.
 */
static void fwmap_from_dmesg(struct found *f)
{
	struct fs_e820_line t[MAX_FWMAP];
	int n = fs_bios_e820(f->dir, t, MAX_FWMAP);

	for (int i = 0; i < n; i++) {
		struct found_fwmap *e = &f->fwmap[f->nr_fwmap++];
		struct hm_e820_entry type;

		*e = (struct found_fwmap){ .nr = (unsigned long)i, .start = t[i].start, .end = t[i].end };
		snprintf(e->type, sizeof(e->type), "%s",
			 hotmem_e820_from_word(t[i].word, &type) ? hotmem_e820_name(&type) : t[i].word);
	}
	f->fwmap_dmesg = n > 0;
	if (n)
		note(f, "firmware/memmap: not in the dump; the firmware's e820 table from dmesg's %d "
			"BIOS-e820 lines", n);
}

/*
 * sys/firmware/memmap: the firmware's table as booted
 * (firmware_map_add_early(), e820__reserve_resources()) and each
 * hot-added range's System RAM after it (firmware_map_add_hotplug(),
 * add_memory()); by N, the order they came in.  An entry that does not
 * read is left out, said.
 */
static void scan_fwmap(struct found *f)
{
	char path[4096];
	struct dirent *de;
	unsigned long n, bad = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/sys/firmware/memmap", f->dir);
	d = opendir(path);
	if (!d) {
		fwmap_from_dmesg(f);
		return;
	}
	while ((de = readdir(d))) {
		struct found_fwmap *e = &f->fwmap[f->nr_fwmap];
		uint64_t last;
		char rel[64];

		if (!numbered(de->d_name, "", &n))
			continue;
		snprintf(rel, sizeof(rel), "sys/firmware/memmap/%lu/type", n);
		if (f->nr_fwmap >= MAX_FWMAP || !fwmap_addr(f, n, "start", &e->start) ||
		    !fwmap_addr(f, n, "end", &last) || last < e->start || last == UINT64_MAX ||
		    read_line(f, rel, e->type, sizeof(e->type))) {
			bad++;
			continue;
		}
		e->nr = n;
		e->end = last + 1;
		f->nr_fwmap++;
	}
	closedir(d);
	qsort(f->fwmap, (size_t)f->nr_fwmap, sizeof(f->fwmap[0]), fwmap_cmp);
	if (bad)
		note(f, "firmware/memmap: %lu entries not read (more than %d, or no start, end or "
			"type): left out", bad, MAX_FWMAP);
}

/* Which blocks lie in a virtio-mem region, the device's node from them */
static void claim_vmem_blocks(struct found *f)
{
	for (int i = 0; i < f->nr_vmem; i++) {
		struct found_vmem *v = &f->vmem[i];

		for (unsigned long id = 0; id < f->nr; id++) {
			if (!f->blk[id].present || blk_start(f, id) < v->start ||
			    blk_start(f, id) >= v->end)
				continue;
			f->blk[id].vmem = i + 1;
			if (v->nid < 0)
				v->nid = block_nid(&f->blk[id]);
		}
		if (v->nid < 0) {
			note(f, "%s: no memory block plugged, its node not in sysfs: node 0", v->name);
			v->nid = 0;
		}
	}
}

static bool spans_nodes(const struct found_block *b)
{
	return b->nodes & (b->nodes - 1);
}

/*
 * Boot memory: every present block below 4 GiB, and the blocks from 4 GiB
 * on without a gap, when the memory below 4 GiB reaches 2 GiB (firmware
 * puts what does not fit under the PCI hole there) and none of them is
 * offline or Movable (boot memory is neither, without movable_node);
 * they are too when one of them spans nodes, and so is any block that
 * does (hot-added memory is one node's).
 * Without memory below 4 GiB (arm64 puts RAM high): every block that is
 * online in a kernel zone.
 */
static void classify_boot_by_rule(struct found *f, bool *boot);

/*
 * Firmware that describes boot memory as ACPI memory devices too: the
 * device's memory is there already, add_memory() fails with -EEXIST and
 * acpi_memory_enable_device() (6.12) binds its blocks all the same.  A
 * device with a block below 4 GiB is such (QEMU's device memory region,
 * where DIMMs go, lies above 4 GiB on x86): its blocks taken as boot
 * memory, said.  The dump's sys/firmware/memmap (hotmemctl export holds
 * it since ff17f841) cannot say it above 4 GiB either: 6.12 types a
 * DIMM's hot-add entry "System RAM" as it does the table's RAM
 * (firmware_map_add_hotplug()), and a DIMM plugged before boot takes its
 * N before the table's (classify_fwmap() tells them apart by the blocks
 * this classification gives, not the other way round).
 */
static void fw_boot_devices(struct found *f, bool *boot)
{
	unsigned long four = (unsigned long)(4 * GiB / f->block_size);

	for (unsigned long id = 0; id < f->nr && id < four; id++) {
		char fw[sizeof(f->blk[id].fw)];

		if (!f->blk[id].present || !f->blk[id].fw[0] || boot[id])
			continue;
		snprintf(fw, sizeof(fw), "%s", f->blk[id].fw);
		note(f, "%s: an ACPI memory device with memory below 4 GiB (memory%lu): firmware "
			"that describes boot memory as memory devices; its blocks taken as boot "
			"memory", fw, id);
		for (unsigned long j = 0; j < f->nr; j++)
			if (!strcmp(f->blk[j].fw, fw)) {
				boot[j] = f->blk[j].present && !f->blk[j].vmem;
				f->blk[j].fw[0] = '\0';
			}
	}
}

/*
 * Boot memory or a DIMM's: with firmware_node links in the tree, as the
 * kernel bound them (block_firmware_node()): a block linked to an ACPI
 * memory device is its DIMM's, any other is boot memory (outside the
 * virtio-mem devices).  Without any, the x86 rule below, said.
 */
static void classify_boot(struct found *f, bool *boot)
{
	if (!f->fw_links) {
		classify_boot_by_rule(f, boot);
		return;
	}
	for (unsigned long id = 0; id < f->nr; id++)
		boot[id] = f->blk[id].present && !f->blk[id].vmem && !f->blk[id].fw[0];
	fw_boot_devices(f, boot);
}

static void classify_boot_by_rule(struct found *f, bool *boot)
{
	unsigned long four = (unsigned long)(4 * GiB / f->block_size), id, end;
	unsigned long low_end = 0, split_end = four;
	bool high_boot = true;

	for (id = 0; id < f->nr && id < four && !f->blk[id].present; id++)
		;
	if (id >= f->nr || id >= four) {
		note(f, "no memory below 4 GiB: not an x86 layout; took the blocks online in a "
			"kernel zone as boot memory (hotmem models x86_64's zones)");
		for (id = 0; id < f->nr; id++)
			boot[id] = f->blk[id].present && !f->blk[id].vmem && f->blk[id].online &&
				   strcmp(f->blk[id].zone, "Movable");
		return;
	}
	for (id = 0; id < f->nr && id < four; id++) {
		boot[id] = f->blk[id].present && !f->blk[id].vmem;
		if (f->blk[id].present)
			low_end = id + 1;
	}
	/* a block on several nodes was there at boot, and the run up to it: hot-added memory is one node's */
	for (end = four; end < f->nr && f->blk[end].present && !f->blk[end].vmem; end++)
		if (spans_nodes(&f->blk[end]))
			split_end = end + 1;
	for (id = split_end; id < end; id++)
		if (!f->blk[id].online || !strcmp(f->blk[id].zone, "Movable"))
			high_boot = false;
	if ((blk_start(f, low_end) < 2 * GiB && split_end == four) || end == four)
		high_boot = false;
	for (id = four; id < end; id++)
		boot[id] = id < split_end || high_boot;
	for (id = end; id < f->nr; id++)
		boot[id] |= f->blk[id].present && !f->blk[id].vmem && spans_nodes(&f->blk[id]);
}

/*
 * Where block @id's memory is, node by node: @n pieces returned, piece i
 * from @start[i] to @start[i + 1] on node @nid[i]; one for a block of one
 * node.  A boot block spanning nodes is linked under each (6.12's
 * node_dev_init()), and sysfs does not say where one node ends inside it:
 * its nodes in address order -- the previous block's node first, the next
 * block's last, the rest ascending -- in equal parts, cut at section
 * boundaries when the parts are that large (else at 2 MiB): said by
 * print_class(), which alone knows whether it prints or counts.
 */
static int block_pieces(const struct found *f, unsigned long id, int *nid, uint64_t *start)
{
	const struct found_block *b = &f->blk[id];
	uint64_t nodes = b->nodes, part, unit; /* never 0: nodes() */
	int n = 0, prev = -1, next = -1, first = 0;

	for (int i = 0; i < HM_MAX_NUMNODES; i++)
		if (nodes & (1ULL << i))
			nid[n++] = i;
	if (id > 0 && f->blk[id - 1].present)
		prev = block_nid(&f->blk[id - 1]);
	if (id + 1 < f->nr && f->blk[id + 1].present && f->blk[id + 1].nodes)
		next = __builtin_ctzll(f->blk[id + 1].nodes);
	for (int i = 0; i < n && n > 1; i++)
		if (nid[i] == prev) {
			memmove(nid + 1, nid, (size_t)i * sizeof(*nid));
			nid[0] = prev;
			first = 1;
		}
	for (int i = first; i < n - 1; i++)
		if (nid[i] == next) {
			memmove(nid + i, nid + i + 1, (size_t)(n - 1 - i) * sizeof(*nid));
			nid[n - 1] = next;
			break;
		}
	part = f->block_size / (uint64_t)n;
	unit = part >= (1ULL << HM_SECTION_SIZE_BITS) ? 1ULL << HM_SECTION_SIZE_BITS : 2 * MiB;
	part -= part % unit;
	for (int i = 0; i < n; i++)
		start[i] = blk_start(f, id) + (uint64_t)i * part;
	start[n] = blk_start(f, id + 1);
	return n;
}

/* a ram or hotplug line of [@start, @end) on @nid (none when empty): 1 if one */
static int print_line(FILE *out, const char *key, uint64_t start, uint64_t end, int nid)
{
	if (start >= end)
		return 0;
	if (!out)
		return 1;
	/* x86's low memory without proc/iomem: the BIOS page and the VGA/ROM hole (e820); noted */
	if (start == 0 && !strcmp(key, "ram")) {
		fprintf(out, "ram = 0x1000-0x9efff node=%d\n", nid);
		start = 0x100000;
	}
	fprintf(out, "%s = %#llx-%#llx node=%d\n", key, (unsigned long long)start,
		(unsigned long long)end - 1, nid);
	return 1;
}

/*
 * A ram line's [@start, @end) cut to proc/iomem's System RAM, whole pages
 * (the boot's memblock drops a partial page, 6.12 e820__memblock_setup()
 * and memblock's PFN_UP/PFN_DOWN): the holes inside a block that sysfs
 * does not show -- x86's below 1 MiB, QEMU's e820 ending boot RAM 128 KiB
 * short of the block (0x1ffdffff for -m 512M) -- are the machine's again.
 * Without proc/iomem's RAM over any of it (no proc/iomem, a hand-made
 * one), as it is.  hotplug lines are whole blocks, DIMMs' memory is.
 */
static int print_range(const struct found *f, FILE *out, const char *key, uint64_t start,
		       uint64_t end, int nid)
{
	int lines = 0;

	if (strcmp(key, "ram") || !f->nr_ram)
		return print_line(out, key, start, end, nid);
	for (int i = 0; i < f->nr_ram; i++) {
		uint64_t s = (f->ram[i].start + PAGE_SIZE_4K - 1) & ~(PAGE_SIZE_4K - 1);
		uint64_t e = f->ram[i].end & ~(PAGE_SIZE_4K - 1);

		lines += print_line(out, key, s > start ? s : start, e < end ? e : end, nid);
	}
	return lines ? lines : print_line(out, key, start, end, nid);
}

/*
 * The ram lines (@want_boot) or the hotplug lines (each one DIMM): runs of
 * the class's blocks outside virtio-mem devices on one node, a block
 * spanning nodes split between them (block_pieces()).  How many lines; @out
 * NULL only counts them.
 */
static int print_class(struct found *f, FILE *out, const bool *boot, bool want_boot)
{
	const char *key = want_boot ? "ram" : "hotplug";
	uint64_t start[HM_MAX_NUMNODES + 1], run_start = 0, run_end = 0;
	int nid[HM_MAX_NUMNODES], run_nid = -1, lines = 0;

	for (unsigned long id = 0; id < f->nr; id++) {
		int n;

		if (!f->blk[id].present || boot[id] != want_boot || f->blk[id].vmem) {
			lines += print_range(f, out, key, run_start, run_end, run_nid);
			run_start = run_end = 0;
			continue;
		}
		/* one hotplug line a DIMM: its blocks are those linked to its slot */
		if (id > 0 && strcmp(f->blk[id].fw, f->blk[id - 1].fw)) {
			lines += print_range(f, out, key, run_start, run_end, run_nid);
			run_start = run_end = 0;
		}
		n = block_pieces(f, id, nid, start);
		/* said when printing, not again when counting (count_hot_runs()) */
		if (out && n > 1)
			note(f, "memory%lu spans %d nodes (a nodeN link for each): where one ends "
				"inside it is not in sysfs; split in %llu MiB parts, node %d first",
			     id, n, (unsigned long long)((start[1] - start[0]) / MiB), nid[0]);
		for (int i = 0; i < n; i++) {
			if (run_end == start[i] && run_nid == nid[i] && run_end > run_start) {
				run_end = start[i + 1];
				continue;
			}
			lines += print_range(f, out, key, run_start, run_end, run_nid);
			run_start = start[i];
			run_end = start[i + 1];
			run_nid = nid[i];
		}
	}
	lines += print_range(f, out, key, run_start, run_end, run_nid);
	return lines;
}

/*
 * Which firmware/memmap entries are the firmware's table: 6.12
 * drivers/firmware/memmap.c adds the boot table with
 * firmware_map_add_early() and each hot-add's range with
 * firmware_map_add_hotplug() (add_memory(): a DIMM, a probed block; never
 * driver-managed memory, virtio-mem's), and sysfs shows both alike: N is
 * only the order they came in -- the table's first on a running machine,
 * though a DIMM plugged before boot, added at subsys_initcall, takes N
 * before the table's (firmware_memmap_init() is a late_initcall).  So by
 * what the entry covers: System RAM lying all in memory taken as
 * hot-added (the DIMMs' blocks) is a hot-add's; every other entry is the
 * firmware's.  Memory probed at run time, taken as boot RAM, has its
 * entry taken as the firmware's: the profile's table and ram agree on it.
 */
static void classify_fwmap(struct found *f, const bool *boot)
{
	for (int i = 0; i < f->nr_fwmap; i++) {
		struct found_fwmap *e = &f->fwmap[i];
		unsigned long first = (unsigned long)(e->start / f->block_size);
		unsigned long last = (unsigned long)((e->end - 1) / f->block_size);

		/* the boot log's table has no hot-add's entry (fwmap_from_dmesg()) */
		e->hot = !f->fwmap_dmesg && fwmap_ram(e) && last < f->nr;
		for (unsigned long id = first; e->hot && id <= last; id++)
			e->hot = f->blk[id].present && !boot[id] && !f->blk[id].vmem;
	}
}

/* [@start, @end) one more of proc/iomem-like RAM @f->ram, when not empty */
static void ram_add(struct found *f, uint64_t start, uint64_t end)
{
	if (start < end && f->nr_ram < MAX_RAM)
		f->ram[f->nr_ram++] = (typeof(f->ram[0])){ start, end };
}

/*
 * Without proc/iomem's System RAM: the firmware table's RAM as the
 * kernel makes its resources of it (6.12 trim_bios_range(): page 0
 * reserved, none in the BIOS area [640 KiB, 1 MiB)), which cuts boot
 * RAM as proc/iomem's would.  True when there was any.
 */
static bool ram_from_fwmap(struct found *f)
{
	if (f->nr_ram)
		return false;
	for (int i = 0; i < f->nr_fwmap; i++) {
		const struct found_fwmap *e = &f->fwmap[i];
		uint64_t start = e->start > PAGE_SIZE_4K ? e->start : PAGE_SIZE_4K;

		if (e->hot || !fwmap_ram(e))
			continue;
		ram_add(f, start, e->end < 0xa0000 ? e->end : 0xa0000);
		ram_add(f, start > 0x100000 ? start : 0x100000, e->end);
	}
	return f->nr_ram > 0;
}

/* @text parsed over the default built-in into *@cfg (malloc()ed); -errno, said in @err */
static int parse_profile_text(const char *text, struct hotmem_config **cfg, char *err,
			      size_t errlen)
{
	int ret;

	*cfg = malloc(sizeof(**cfg));
	if (!*cfg)
		return -ENOMEM;
	ret = hotmem_config_builtin(*cfg, "default");
	if (!ret)
		ret = hotmem_config_parse_text(*cfg, text, err, errlen);
	return ret;
}

/* the firmware/memmap entries taken as the firmware's are the table @cfg booted from its ram lines */
static bool fwmap_is_made(const struct found *f, const struct hotmem_config *cfg)
{
	struct hm_e820_entry t[HM_E820_TABLE_MAX];
	int nr = hotmem_config_e820_table(cfg, t), k = 0;

	for (int i = 0; i < f->nr_fwmap; i++) {
		const struct found_fwmap *e = &f->fwmap[i];

		if (e->hot)
			continue;
		if (k >= nr || t[k].start != e->start || t[k].end != e->end ||
		    strcmp(hotmem_e820_name(&t[k]), e->type))
			return false;
		k++;
	}
	return k == nr;
}

/* where the firmware's table was read: the notes name it */
static const char *fwmap_source(const struct found *f)
{
	return f->fwmap_dmesg ? "dmesg's BIOS-e820 table" : "firmware/memmap";
}

/*
 * Entry @e as its source names it, after @sep, into @buf: memmap/N and
 * its type's name (firmware/memmap's directory and type file), or the
 * boot log's BIOS-e820 line, "[mem 0x...-0x...] WORD" as 6.12
 * e820__print_table() prints it (its N is only the line's place, no
 * memmap/N of the dump's).  How many bytes it took.
 */
static size_t fwmap_entry_name(const struct found *f, const struct found_fwmap *e, char *buf,
			       size_t len, const char *sep)
{
	int n = f->fwmap_dmesg ?
			snprintf(buf, len, "%s[mem %#018llx-%#018llx] %s", sep,
				 (unsigned long long)e->start, (unsigned long long)e->end - 1, e->type) :
			snprintf(buf, len, "%smemmap/%lu (%s)", sep, e->nr, e->type);

	return n < 0 ? 0 : (size_t)n;
}

/*
 * e820 lines of the firmware's table (classify_fwmap()), after @head (the
 * profile's block_size ... nodes lines) and its @ram lines: none when the
 * dump has no firmware/memmap, or when its table is the one hotmem makes
 * of the ram lines (a machine without a table of its own: the default
 * built-in, a profile of ram lines); left out and said when they
 * contradict the ram lines (boot RAM removed at run time, a dump whose
 * RAM is not its table's), as hotmem would refuse the profile.  Each
 * entry's type by its name (6.12 e820_type_to_string(): "ACPI Tables" is
 * an "ACPI data" line, "ACPI Non-volatile Storage" "ACPI NVS"); a type
 * hotmem does not model (Persistent Memory, Soft Reserved, ...) is
 * written reserved, said.
 */
static void print_e820(struct found *f, FILE *out, const char *head, const char *ram)
{
	char *lines = NULL, *text = NULL, err[512], other[256] = "", hot[256] = "";
	struct hotmem_config *cfg = NULL;
	size_t llen = 0, tlen = 0, on = 0, hn = 0;
	int nr = 0;
	FILE *l = open_memstream(&lines, &llen);

	if (!l)
		return;
	for (int i = 0; i < f->nr_fwmap; i++) {
		const struct found_fwmap *e = &f->fwmap[i];
		struct hm_e820_entry t;
		bool known = fwmap_e820(e, &t);

		if (e->hot) {
			if (hn < sizeof(hot))
				hn += (size_t)snprintf(hot + hn, sizeof(hot) - hn, "%smemmap/%lu",
						       hn ? ", " : "", e->nr);
			continue;
		}
		if (!known && on < sizeof(other))
			on += fwmap_entry_name(f, e, other + on, sizeof(other) - on, on ? ", " : "");
		fprintf(l, "e820 = 0x%llx-0x%llx %s\n", (unsigned long long)e->start,
			(unsigned long long)e->end - 1, hotmem_e820_word(&t));
		nr++;
	}
	fclose(l);
	if (!nr)
		goto out;
	l = open_memstream(&text, &tlen);
	if (!l)
		goto out;
	fprintf(l, "%s%s", head, ram);
	fclose(l);
	/* no boot RAM found: the profile is refused for that, and says so itself */
	if (parse_profile_text(text, &cfg, err, sizeof(err)) || fwmap_is_made(f, cfg))
		goto out;
	free(cfg);
	cfg = NULL;
	free(text);
	text = NULL;
	l = open_memstream(&text, &tlen);
	if (!l)
		goto out;
	fprintf(l, "%s%s%s", head, ram, lines);
	fclose(l);
	if (parse_profile_text(text, &cfg, err, sizeof(err))) {
		/* the line numbers are of this check's text, not of the profile */
		const char *why = !strncmp(err, "line ", 5) && strstr(err, ": ") ?
					  strstr(err, ": ") + 2 : err;

		/* why the engine refused them, whatever it is: not always the RAM (cmdline39) */
		note(f, "%s: its table as e820 lines is refused (%s): no e820 lines, the "
			"firmware map is made from the ram lines", fwmap_source(f), why);
		goto out;
	}
	fputs(lines, out);
	/* dmesg's BIOS-e820 lines are the firmware's table and nothing else (fwmap_from_dmesg()) */
	if (!f->fwmap_dmesg)
		note(f, "firmware/memmap: which entries are the firmware's e820 table is not in sysfs: "
		     "%d taken as its (the e820 lines)%s%s%s", nr,
	     hn ? "; System RAM over hot-added memory taken as its hot-add's, not the "
		  "firmware's: " : "", hot, hn ? " (firmware_map_add_hotplug())" : "");
	if (on)
		note(f, "%s: %s: hotmem models %s entries; written reserved", fwmap_source(f), other,
		     f->fwmap_dmesg ? "usable, reserved, ACPI data, ACPI NVS and unusable" :
				      "System RAM, Reserved, ACPI Tables, ACPI Non-volatile Storage "
				      "and Unusable memory");
out:
	free(cfg);
	free(text);
	free(lines);
}

static void print_ranges(struct found *f, FILE *out, const bool *boot, const char *head)
{
	char *ram = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&ram, &len);

	if (m) {
		print_class(f, m, boot, true);
		fclose(m);
		fputs(ram, out);
		print_e820(f, out, head, ram);
	} else {
		print_class(f, out, boot, true);
	}
	free(ram);
	print_class(f, out, boot, false);
}

/* kernel_image, initrd, swiotlb of the dump (from_sysfs_boot.c), checked with the profile so far */
static void print_boot_reservations(struct found *f, FILE *out)
{
	fflush(out);	/* @out is write_profile_calibrated()'s memstream: its text so far */
	fs_boot_keys(f->dir, f->profile_text ? *f->profile_text : "", out, f->notes, &f->boot);
}

/*
 * QEMU's -m slots=N: every slot is an ACPI memory device from boot,
 * sys/bus/acpi/devices/PNP0C80:xx, a DIMM in it or not.  -1: no ACPI
 * memory devices in the tree (not an ACPI guest, or no slots).
 */
static int count_dimm_slots(const struct found *f)
{
	char path[4096];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/sys/bus/acpi/devices", f->dir);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "PNP0C80:", 8);
	closedir(d);
	return n ? n : -1;
}

/* the hotplug lines print_ranges() writes: each a DIMM in a slot */
static int count_hot_runs(struct found *f, const bool *boot)
{
	return print_class(f, NULL, boot, false);
}

/* online_movable for Movable, online_kernel for the kernel zones */
static const char *online_type_of(const struct found_block *b)
{
	return !strcmp(b->zone, "Movable") ? "online_movable" : "online_kernel";
}

static void print_run(FILE *out, const char *key, unsigned long a, unsigned long b,
		      const char *type)
{
	if (b - a > 1)
		fprintf(out, "%s = %lu-%lu%s%s\n", key, a, b - 1, type ? " " : "", type ? type : "");
	else
		fprintf(out, "%s = %lu%s%s\n", key, a, type ? " " : "", type ? type : "");
}

static void print_states(struct found *f, FILE *out, const bool *boot)
{
	unsigned long a, b;

	/* boot blocks someone offlined */
	for (a = 0; a < f->nr; a = b) {
		b = a + 1;
		if (!f->blk[a].present || !boot[a] || f->blk[a].online)
			continue;
		while (b < f->nr && f->blk[b].present && boot[b] && !f->blk[b].online)
			b++;
		print_run(out, "offline", a, b, NULL);
	}
	/*
	 * hot-added blocks (a DIMM's, a virtio-mem device's: both come up
	 * offline at boot) that are online, in the zone found, in address
	 * order: a virtio-mem driver plugs on as its blocks come online
	 */
	for (a = 0; a < f->nr; a = b) {
		const char *type;

		b = a + 1;
		if (!f->blk[a].present || boot[a] || !f->blk[a].online)
			continue;
		type = online_type_of(&f->blk[a]);
		while (b < f->nr && f->blk[b].present && !boot[b] && f->blk[b].online &&
		       !strcmp(online_type_of(&f->blk[b]), type) && f->blk[b].at == f->blk[b - 1].at + 1)
			b++;
		print_run(out, "online", f->blk[a].at, f->blk[a].at + (b - a), type);
	}
}

/*
 * The nodes with CPUs, a profile's cpu_nodes: node/has_cpu (N_CPU, the
 * nodes with an online CPU), and each nodeN's cpuM links (6.12's
 * register_one_node(): its present CPUs, register_cpu_under_node()) and
 * cpulist (its online CPUs, node_read_cpumap()) -- a node whose CPUs are
 * all offline is in has_cpu no more, yet keeps its links.  0 when the
 * tree says none of it (a dump of memory/ alone).
 */
static uint64_t scan_cpu_nodes(const struct found *f)
{
	char path[4096], buf[4096];
	uint64_t nodes = 0;
	struct dirent *de;
	DIR *d;

	if (!read_line(f, "sys/devices/system/node/has_cpu", buf, sizeof(buf)) &&
	    hotmem_nodelist_parse(buf, &nodes))
		nodes = 0;
	for (int nid = 0; nid < HM_MAX_NUMNODES; nid++) {
		snprintf(path, sizeof(path), "sys/devices/system/node/node%d/cpulist", nid);
		if (!read_line(f, path, buf, sizeof(buf)) && *buf)
			nodes |= 1ULL << nid;
		snprintf(path, sizeof(path), "%s/sys/devices/system/node/node%d", f->dir, nid);
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			unsigned long cpu;

			if (numbered(de->d_name, "cpu", &cpu))
				nodes |= 1ULL << nid;
		}
		closedir(d);
	}
	return nodes;
}

static void nodes(struct found *f)
{
	char buf[256];
	uint64_t possible;
	int max = f->cpu_nodes ? 63 - __builtin_clzll(f->cpu_nodes) : -1;

	for (unsigned long id = 0; id < f->nr; id++) {
		if (!f->blk[id].present)
			continue;
		if (!f->blk[id].nodes) {
			note(f, "memory%lu names no node (no nodeN link): taken as node 0", id);
			f->blk[id].nodes = 1;
		}
		if (block_nid(&f->blk[id]) > max)
			max = block_nid(&f->blk[id]);
	}
	if (!read_line(f, "sys/devices/system/node/possible", buf, sizeof(buf)) &&
	    !hotmem_nodelist_parse(buf, &possible) && possible && 64 - __builtin_clzll(possible) > max) {
		f->nr_nodes = 64 - __builtin_clzll(possible);
		return;
	}
	f->nr_nodes = max + 1;
	note(f, "possible nodes: no sys/devices/system/node/possible, took the nodes with memory "
		"or CPUs (%d)", f->nr_nodes);
}

/*
 * "@name=@val" as /proc/cmdline would show it, into @word: a value with
 * a blank (the kernel's, 0xa0 too) quoted -- next_arg() takes a quoted
 * value as one word, quotes stripped; unquoted, its blanks end the word
 * and what follows is words of its own (an auto_movable_ratio of
 * "3 memhp_default_state=online" set the profile's policy: small42).
 * -EINVAL for a value with a '"', which no word carries: next_arg() takes
 * any '"' for a quote, the word then running to the next one.
 */
static int cmdline_word(char *word, size_t len, const char *name, const char *val)
{
	bool blank = false;

	if (strchr(val, '"'))
		return -EINVAL;
	for (const char *c = val; *c && !blank; c++)
		blank = hotmem_cmdline_isspace((unsigned char)*c);
	snprintf(word, len, blank ? "%s=\"%s\"" : "%s=%s", name, val);
	return 0;
}

/*
 * sys/module/@mod/parameters/@name as the command-line word
 * "@mod.@name=VALUE" (cmdline_word()), appended to @buf (*@n used, a
 * space between words).  -ENOENT when the file is not in the tree;
 * -EINVAL when hotmem's own command-line parser refuses the word, or no
 * word carries the value (no kernel prints such a value: a
 * bbm_block_size param_get_ulong() did not print, a hand-edited dump),
 * left out and said -- the profile boots, as the kernel did.
 */
static int append_param(struct found *f, const char *mod, const char *name, char *buf,
			size_t len, size_t *n)
{
	char rel[160], val[128], full[160], word[320], err[256];
	struct hotmem_config scratch;

	snprintf(rel, sizeof(rel), "sys/module/%s/parameters/%s", mod, name);
	if (read_line(f, rel, val, sizeof(val)))
		return -ENOENT;
	snprintf(full, sizeof(full), "%s.%s", mod, name);
	if (cmdline_word(word, sizeof(word), full, val)) {
		note(f, "%s: '%s': a '\"' no command-line word carries: left out", rel, val);
		return -EINVAL;
	}
	hotmem_config_default(&scratch);
	if (hotmem_config_parse_cmdline(&scratch, word, err, sizeof(err))) {
		note(f, "%s: left out", err);
		return -EINVAL;
	}
	if (*n < len)
		*n += (size_t)snprintf(buf + *n, len - *n, "%s%s", *n ? " " : "", word);
	return 0;
}

/*
 * The virtio_mem driver's parameters (drivers/virtio/virtio_mem.c, 6.12:
 * module_param(unplug_online, bool, 0644), force_bbm bool and
 * bbm_block_size ulong, 0444).  Where the driver is not loaded (no
 * directory) none, and where virtio-mem devices were found, said.  A
 * bbm_block_size that is no power of 2 is carried as it is: the kernel
 * took it (param_set_ulong()) and each Big Block Mode probe warns and
 * keeps its own big block (virtio_mem_init_hotplug(), 6.12), as the
 * engine does since c10e33b -- the machine imported is the one exported.
 */
static void print_vmem_params(struct found *f, char *buf, size_t len, size_t *n)
{
	static const char *const params[] = { "unplug_online", "force_bbm", "bbm_block_size" };

	if (!exists(f, "sys/module/virtio_mem/parameters")) {
		if (f->nr_vmem)
			note(f, "virtio_mem module parameters: no sys/module/virtio_mem/parameters, the "
				"kernel's defaults where proc/cmdline sets none");
		return;
	}
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (append_param(f, "virtio_mem", params[i], buf, len, n) == -ENOENT)
			note(f, "virtio_mem.%s: not under sys/module/virtio_mem/parameters, the kernel's "
				"default where proc/cmdline sets none", params[i]);
}

/* what boot_words() takes from proc/cmdline */
struct boot_words {
	char buf[HM_COMMAND_LINE_SIZE];	/* the words a profile carries, in proc/cmdline's order */
	size_t n;
	int movable;		/* kernelcore=/movablecore= among them */
	bool hugepages;		/* a hugepages= word among them */
	char hp_word[128];	/* the first (the kernel ignores a second) */
	struct hotmem_config cfg;	/* what they set: the boot pool, hugepages_node */
	char unmodelled[512];	/* the words hotmem models none of (root=, console=) */
	size_t nu;
};

/*
 * hotmem_cmdline_next() that also gives the word as proc/cmdline spells
 * it (*@raw, *@rawlen: its quotes kept; the kernel's next_arg() strips
 * them to parse, saved_command_line keeps them): a word carried into the
 * profile keeps them, so the /proc/cmdline of a machine booted from it
 * is the dump's byte for byte -- movablecore="256M" came back as
 * movablecore=256M, a note named dyndbg="file x +p" as dyndbg=file x +p.
 * @w is next_arg()'s word made param=val again (init/main.c
 * repair_env_string()), not next_arg()'s param and val: the callers
 * match it by name as 6.12 does a __setup() word (hugepages=,
 * hugepagesz=, default_hugepagesz=: obsolete_checksetup() compares that
 * repaired word's start, parameqn()), which for an early_param()'s
 * (kernelcore=, movablecore=: parameq() on next_arg()'s param) is the
 * same but for a param beginning with '=' -- never a name they look
 * for.  What parses a word parses *@raw, the kernel's own bytes, never
 * @w: a quoted value's blanks are no word's end (boot_words()).
 * A word longer than @len (the callers' words are 511 bytes; the
 * kernel's line holds 2047): -E2BIG, *@p past it (quotes honoured as the
 * parser does), so that the words after it are still read -- a 600-byte
 * dyndbg= word took every word after it out of the profile, unsaid.
 */
static int cmdline_next_raw(const char **p, char *w, size_t len, const char **raw, int *rawlen)
{
	int ret;

	/* the kernel's blanks (0xa0 among them), as the parser skips them */
	while (hotmem_cmdline_isspace((unsigned char)**p))
		(*p)++;
	*raw = *p;
	/* past the word however long, quotes honoured as the parser does */
	ret = hotmem_cmdline_next(p, w, len);
	*rawlen = (int)(*p - *raw);
	return ret;
}

/* the next word of @p that fits @w (cmdline_next_raw()), the longer ones skipped: > 0, else none */
static int cmdline_next_fitting(const char **p, char *w, size_t len)
{
	const char *raw;
	int rawlen, ret;

	while ((ret = cmdline_next_raw(p, w, len, &raw, &rawlen)) == -E2BIG)
		;
	return ret;
}

/*
 * Whether word @w is "@name=...": names compare as 6.12's do, '-' and '_'
 * alike (obsolete_checksetup()'s parameqn() for a __setup() word such as
 * default_hugepagesz=, parse_early_param()'s parameq()) --
 * default-hugepagesz=1G names the 1 GiB default hstate, and a strncmp()
 * missed it, giving the hugepages= after it to the 2 MiB pool (small42).
 */
static bool word_is(const char *w, const char *name)
{
	size_t len = strlen(name);

	return hmu_parameqn(w, name, len) && w[len] == '=';
}

/*
 * The hstate a hugepages= count goes to, when hotmem does not model it:
 * 6.12 mm/hugetlb.c hugepages_setup() gives the count to parsed_hstate,
 * the hstate of the hugepagesz= or default_hugepagesz= before it
 * (hugetlb_add_hstate() sets it), and one before any size word to the
 * default hstate, whatever default_hugepagesz= names, even later on the
 * line.  A size word hotmem refuses (1G, a size x86-64 lacks, a second
 * hugepagesz=2M) thus takes every hugepages= after it until the next
 * size word: not the 2 MiB pool (reread31 R5: `hugepagesz=1G hugepages=2
 * hugepagesz=2M hugepages=8` became a pool of 2).
 */
struct hp_binding {
	char refused[128];	/* the refused size word the counts now go to, "" none */
	char default_refused[128];	/* proc/cmdline's default_hugepagesz=, when refused */
	bool size_seen;		/* a size word came: the default hstate no longer takes counts */
};

/* the first default_hugepagesz= of @line (the kernel ignores a second), when hotmem refuses it */
static void hp_default_hstate(const char *line, struct hp_binding *hb)
{
	char w[512], err[256];
	struct hotmem_config scratch;

	while (cmdline_next_fitting(&line, w, sizeof(w)) > 0) {
		if (!word_is(w, "default_hugepagesz"))
			continue;
		hotmem_config_default(&scratch);
		if (hotmem_config_parse_cmdline(&scratch, w, err, sizeof(err)))
			snprintf(hb->default_refused, sizeof(hb->default_refused), "%.127s", w);
		return;
	}
}

/* size word @w, parsed (@refused when hotmem refused it): the counts after it are its hstate's */
static void hp_size_word(struct hp_binding *hb, const char *w, bool refused)
{
	hb->size_seen = true;
	snprintf(hb->refused, sizeof(hb->refused), "%.127s", refused ? w : "");
}

/* the refused size word hugepages= @w is bound to, NULL when it is the 2 MiB pool's */
static const char *hp_bound_refused(const struct hp_binding *hb, const char *w)
{
	if (!word_is(w, "hugepages"))
		return NULL;
	if (hb->size_seen)
		return hb->refused[0] ? hb->refused : NULL;
	return hb->default_refused[0] ? hb->default_refused : NULL;
}

/* a hugepages= count of a hstate hotmem does not model (hp_bound_refused()): left out, said */
static void note_hp_unmodelled(struct found *f, const char *w, const char *size_word,
			       bool before_size)
{
	char hstate[192];
	uint64_t size = 0;

	if (!hmu_memparse(strchr(size_word, '=') + 1, &size) && size == GiB)
		snprintf(hstate, sizeof(hstate), "the 1 GiB hstate");
	else
		snprintf(hstate, sizeof(hstate), "%s's hstate, refused above", size_word);
	note(f, "proc/cmdline: %s: the count of %s (%s %s; 6.12 hugepages_setup() gives a "
		"hugepages= to the hstate of the size word before it, the default hstate before "
		"any), which hotmem does not model: left out", w, hstate, size_word,
	     before_size ? "names the default hstate and no hugepagesz= is before it" :
			   "is the size word before it");
}

/*
 * @line, a proc/cmdline read into HM_COMMAND_LINE_SIZE + 1 bytes: longer
 * than x86's 2047 (another architecture's COMMAND_LINE_SIZE, or not a
 * kernel's), cut where the engine's limit is, before the word that
 * crosses it -- its part would be another word -- and said when @say
 */
static void cmdline_cut(struct found *f, char *line, bool say)
{
	size_t n = HM_COMMAND_LINE_SIZE - 1;

	if (strlen(line) <= n)
		return;
	if (!hotmem_cmdline_isspace((unsigned char)line[n]))
		while (n && !hotmem_cmdline_isspace((unsigned char)line[n - 1]))
			n--;
	line[n] = '\0';
	if (say)
		note(f, "proc/cmdline: longer than the %d bytes of x86's COMMAND_LINE_SIZE, "
			"hotmem's limit: the words from its byte %zu on left out",
		     HM_COMMAND_LINE_SIZE - 1, n + 1);
}

/*
 * The words of DIR/proc/cmdline that boot the machine as it booted: what
 * hotmem models -- kernelcore=, movablecore= (6.12
 * find_zone_movable_pfns_for_nodes()), movable_node, hugepages=,
 * hugepagesz=, default_hugepagesz=, hugetlb_free_vmemmap, hotmem's own,
 * memhp_default_state= and the module parameters (merge_values() holds
 * those against the dump's values) -- in order, each parsed after the ones before it as the kernel reads
 * them, so that one hotmem refuses (kernelcore=mirror, a second
 * hugepages=) is left out, said when @say, and so is a hugepages= bound
 * to a size hotmem refuses (hp_bound_refused()).  @pool: the word that takes
 * hugepages='s place, NULL to keep it as it is, "" for none; put at the
 * end without one (or without proc/cmdline).  0, or -ENOENT without
 * proc/cmdline in the dump.
 */
static int boot_words(struct found *f, const char *pool, bool say, struct boot_words *bw)
{
	char line[HM_COMMAND_LINE_SIZE + 1], err[256], w[512], tmp[512], rw[512];
	const char *p = line, *bound, *raw;
	struct hp_binding hb = { .size_seen = false };
	bool placed = false, size_word;
	int ret, ret2, rawlen;

	memset(bw, 0, sizeof(*bw));
	hotmem_config_default(&bw->cfg);
	bw->cfg.nr_possible_nodes = f->nr_nodes;
	/* without one, no word but the pool's */
	ret = read_line(f, "proc/cmdline", line, sizeof(line)) ? -ENOENT : 0;
	if (ret)
		line[0] = '\0';
	cmdline_cut(f, line, say);
	hp_default_hstate(line, &hb);
	/* the kernel's words: quotes honoured, none after a bare "--" (init's; reread30 R8) */
	while ((ret2 = cmdline_next_raw(&p, w, sizeof(w), &raw, &rawlen)) > 0 || ret2 == -E2BIG) {
		const char *word = raw;
		int wordlen = rawlen;

		if (ret2 == -E2BIG) {
			if (say)
				note(f, "proc/cmdline: %.40s...: a word of %d bytes, longer than hotmem's "
					"parser takes (%zu): left out", raw, rawlen, sizeof(w) - 1);
			continue;
		}

		bound = hp_bound_refused(&hb, w);
		if (bound) {
			if (say)
				note_hp_unmodelled(f, w, bound, !hb.size_seen);
			continue;
		}
		size_word = word_is(w, "hugepagesz") || word_is(w, "default_hugepagesz");
		/*
		 * parsed as proc/cmdline spells it, parse_args() taking one word:
		 * @w's value has its quotes stripped, and parsed again its blanks
		 * cut it -- foo="x memhp_default_state=online" set the boot's
		 * policy, bar="a kernelcore=mirror" was "left out" for a
		 * kernelcore= the kernel never saw (small41)
		 */
		snprintf(rw, sizeof(rw), "%.*s", rawlen, raw);
		if (hotmem_config_parse_cmdline(&bw->cfg, rw, err, sizeof(err))) {
			if (size_word)
				hp_size_word(&hb, w, true);
			if (say)
				note(f, "proc/cmdline: %s: left out", err);
			continue;
		}
		if (size_word)
			hp_size_word(&hb, w, false);
		if (hotmem_cmdline_unmodelled(rw, tmp, sizeof(tmp))) {
			if (bw->nu < sizeof(bw->unmodelled))
				bw->nu += (size_t)snprintf(bw->unmodelled + bw->nu,
							   sizeof(bw->unmodelled) - bw->nu, "%s%.*s",
							   bw->nu ? " " : "", rawlen, raw);
			continue;
		}
		bw->movable += word_is(w, "kernelcore") || word_is(w, "movablecore");
		if (word_is(w, "hugepages")) {
			bw->hugepages = true;
			snprintf(bw->hp_word, sizeof(bw->hp_word), "%.127s", w);
			placed = true;
			if (pool) {
				word = pool;
				wordlen = (int)strlen(pool);
			}
		}
		if (wordlen && bw->n < sizeof(bw->buf))
			bw->n += (size_t)snprintf(bw->buf + bw->n, sizeof(bw->buf) - bw->n, "%s%.*s",
						  bw->n ? " " : "", wordlen, word);
	}
	if (pool && *pool && !placed && bw->n < sizeof(bw->buf))
		bw->n += (size_t)snprintf(bw->buf + bw->n, sizeof(bw->buf) - bw->n, "%s%s",
					  bw->n ? " " : "", pool);
	if (say && bw->nu)
		note(f, "proc/cmdline: %s: hotmem models none of these, left out", bw->unmodelled);
	return ret;
}

/* the 2 MiB HugeTLB pool the dump shows (hugetlb_pool()) */
struct found_pool {
	bool known;		/* kernel/mm/hugepages or nodeN/hugepages in the dump */
	bool per_node;		/* nodeN/hugepages: the count of each node */
	unsigned long total, node[HM_MAX_NUMNODES], free;
};

#define HSTATE_2M "hugepages/hugepages-2048kB"

/* DIR/REL as an unsigned number (the kernel's "%lu\n"): true when there and one */
static bool read_ulong(const struct found *f, const char *rel, unsigned long *v)
{
	char buf[32], *end;

	if (read_line(f, rel, buf, sizeof(buf)))
		return false;
	errno = 0;
	*v = strtoul(buf, &end, 10);
	return end != buf && !*end && !errno;
}

/*
 * The pool: each node's nr_hugepages (6.12 drivers/base/node.c's
 * nodeN/hugepages/, hugetlb_register_node()), else the global count
 * (mm/hugetlb.c hugetlb_sysfs_init(): kernel/mm/hugepages/); what the
 * dump holds besides that the profile cannot carry, said.
 */
static void scan_pool(struct found *f, struct found_pool *pool)
{
	char rel[128];
	unsigned long v, fr;

	memset(pool, 0, sizeof(*pool));
	for (int nid = 0; nid < f->nr_nodes && nid < HM_MAX_NUMNODES; nid++) {
		snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/" HSTATE_2M "/nr_hugepages",
			 nid);
		if (!read_ulong(f, rel, &v))
			continue;
		pool->per_node = pool->known = true;
		pool->node[nid] = v;
		pool->total += v;
		snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/" HSTATE_2M "/free_hugepages",
			 nid);
		if (read_ulong(f, rel, &fr))
			pool->free += fr;
	}
	if (!pool->per_node && read_ulong(f, "sys/kernel/mm/" HSTATE_2M "/nr_hugepages", &v)) {
		pool->known = true;
		pool->total = v;
		if (read_ulong(f, "sys/kernel/mm/" HSTATE_2M "/free_hugepages", &fr))
			pool->free = fr;
	}
	if (read_ulong(f, "sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", &v) && v)
		note(f, "HugeTLB: %lu pages of 1 GiB: hotmem models the 2 MiB hstate alone, left out",
		     v);
	if (pool->known && pool->free < pool->total)
		note(f, "HugeTLB: %lu of the pool's %lu pages in use (free_hugepages): they boot free",
		     pool->total - pool->free, pool->total);
}

/* a node with boot memory or CPUs: online at boot (6.12 hugepages_setup() takes only those) */
static bool node_online_at_boot(const struct found *f, const bool *boot, int nid)
{
	if (f->cpu_nodes & (1ULL << nid))
		return true;
	for (unsigned long id = 0; id < f->nr; id++)
		if (boot[id] && (f->blk[id].nodes & (1ULL << nid)))
			return true;
	return false;
}

/*
 * The pool as a boot parameter into @buf: "hugepages=N" on one node or
 * with the global count alone, else "hugepages=NODE:N,..." (6.12
 * hugepages_setup()'s node form) for the nodes that have pages; a node
 * not online at boot cannot be named (hugepages_check_online()), its
 * pages left out and said.  "" for none.
 */
static void pool_word(struct found *f, const struct found_pool *pool, const bool *boot,
		      char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!pool->total)
		return;
	if (!pool->per_node || f->nr_nodes == 1) {
		snprintf(buf, len, "hugepages=%lu", pool->total);
		return;
	}
	for (int nid = 0; nid < f->nr_nodes && nid < HM_MAX_NUMNODES && n < len; nid++) {
		if (!pool->node[nid])
			continue;
		if (!node_online_at_boot(f, boot, nid)) {
			note(f, "HugeTLB: node %d's %lu pages: the node is not online at boot (no boot "
				"memory, no CPU), a boot parameter cannot name it; left out", nid,
			     pool->node[nid]);
			continue;
		}
		n += (size_t)snprintf(buf + n, len - n, "%s%d:%lu", n ? "," : "hugepages=", nid,
				      pool->node[nid]);
	}
}

/* @bw's words but those named @name (the kernel's parameq(): '-' is '_') */
static void drop_words(struct boot_words *bw, const char *name)
{
	char out[sizeof(bw->buf)] = "", w[512];
	const char *p = bw->buf, *raw;
	size_t n = 0, len = strcspn(name, "=");
	int rawlen;

	while (cmdline_next_raw(&p, w, sizeof(w), &raw, &rawlen) > 0) {
		size_t i = 0;

		for (; i < len && w[i] && (w[i] == name[i] || (strchr("-_", w[i]) &&
								 strchr("-_", name[i]))); i++)
			;
		if (i == len && (w[i] == '=' || !w[i]))
			continue;
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%.*s", n ? " " : "", rawlen, raw);
	}
	memcpy(bw->buf, out, n + 1);
	bw->n = n;
}

/*
 * The dump's values as words (@values: memhp_default_state= from
 * auto_online_blocks, the module parameters), held against the machine's
 * boot words (@bw): one the boot words already give is left out -- a
 * machine nothing was changed on comes back with the command line it
 * booted with, /proc/cmdline and all -- and one that differs (written at
 * run time) goes first, its boot word of that name dropped.  Then the
 * boot words, into @out.
 */
static void merge_values(const char *values, struct boot_words *bw, char *out, size_t len)
{
	char *booted = hotmem_config_describe_alloc(&bw->cfg), *with, w[512], rw[512], err[256];
	struct hotmem_config *cfg = malloc(sizeof(*cfg));
	const char *p = values, *raw;
	size_t n = 0;
	int rawlen;

	out[0] = '\0';
	/*
	 * each of @values's words parsed and written as it is spelled
	 * (cmdline_word(): a value with a blank quoted), dropping the boot
	 * words of its name (the repaired @w): the repaired word, quotes
	 * gone, went onto the line, its blanks then ending it (small42)
	 */
	while (cmdline_next_raw(&p, w, sizeof(w), &raw, &rawlen) > 0 && n < len) {
		snprintf(rw, sizeof(rw), "%.*s", rawlen, raw);
		if (booted && cfg) {
			*cfg = bw->cfg;
			with = hotmem_config_parse_cmdline(cfg, rw, err, sizeof(err)) ?
				       NULL : hotmem_config_describe_alloc(cfg);
			if (with && !strcmp(with, booted)) {
				free(with);
				continue;
			}
			free(with);
		}
		drop_words(bw, w);
		n += (size_t)snprintf(out + n, len - n, "%s%s", n ? " " : "", rw);
	}
	/* cut where @out ends: the cmdline key's line, whose length the engine judges */
	if (bw->n && n + 1 < len) {
		size_t k;

		if (n)
			out[n++] = ' ';
		k = strlen(bw->buf) < len - 1 - n ? strlen(bw->buf) : len - 1 - n;
		memcpy(out + n, bw->buf, k);
		out[n + k] = '\0';
	}
	free(cfg);
	free(booted);
}

/*
 * @line's words that set vm sysctl @a or @b at the boot's end, by the
 * engine's own path rule (hotmem_sysctl_vm_name(): sysctl.vm.x,
 * sysctl/vm//x alike; reread35 R6 had a second, byte-for-byte matcher
 * here), as proc/cmdline spells them, into @found; taken out of @line
 * when @drop -- the words a boot parameter of the profile's replaces,
 * which would set the value again after it
 */
static void vm_sysctl_words(char *line, size_t len, const char *a, const char *b, char *found,
			    size_t flen, bool drop)
{
	char out[2048] = "", w[512], name[64];
	const char *p = line, *raw;
	size_t n = 0, nf = 0;
	int rawlen;

	found[0] = '\0';
	while (cmdline_next_raw(&p, w, sizeof(w), &raw, &rawlen) > 0) {
		bool match;

		w[strcspn(w, "=")] = '\0';
		match = hotmem_sysctl_vm_name(w, name, sizeof(name)) &&
			(!strcmp(name, a) || (b && !strcmp(name, b)));
		if (match && nf < flen)
			nf += (size_t)snprintf(found + nf, flen - nf, "%s%.*s", nf ? " " : "", rawlen,
					       raw);
		if ((!match || !drop) && n < sizeof(out))
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%.*s", n ? " " : "", rawlen,
					      raw);
	}
	if (drop)
		snprintf(line, len, "%s", out);
}

/* @text, then the cmdline key of @line (none when ""), then @after, into *@res (free() it) */
static int with_line(char **res, const char *text, const char *line, const char *after)
{
	return asprintf(res, "%s%s%s%s%s", text, *line ? "cmdline = \"" : "", line,
			*line ? "\"\n" : "", after);
}

/*
 * The profile so far (@out: write_profile_calibrated()'s memstream) with
 * command line @line, booted: what that line boots, its sysctl.vm.* words
 * applied at the end as the engine applies them -- the one decider of
 * what the dump's command line boots (reread35 R4: hugetlb_pool(),
 * boot_words() and the HVO word went by hugepages= and
 * hugetlb_free_vmemmap= alone, and a matcher here knew two of the nine
 * sysctls).  False, said in @err, when it does not boot.
 */
static bool boot_line(struct found *f, FILE *out, const char *line, struct fs_vm *vm, char *err,
		      size_t errlen)
{
	char *text;
	bool ok;

	fflush(out);
	if (with_line(&text, f->profile_text ? *f->profile_text : "", line, "") < 0) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return false;
	}
	ok = fs_boot_vm(text, vm, err, errlen);
	free(text);
	return ok;
}

/* the dump's pool (@pool) is what a boot left (@vm): node by node where the dump tells */
static bool pool_booted(const struct found_pool *pool, const struct fs_vm *vm)
{
	if (!pool->per_node)
		return pool->total == vm->pool;
	for (int nid = 0; nid < HM_MAX_NUMNODES; nid++)
		if (pool->node[nid] != vm->pool_node[nid])
			return false;
	return true;
}

/*
 * The pool differs from what proc/cmdline's words boot (@vm; @hp: its
 * hugepages= word, "" none; @sysctls: its sysctl.vm.nr_hugepages words,
 * which go, "" none): the dump's pool as a boot pool, @word ("" none), said
 */
static void note_pool(struct found *f, const struct found_pool *pool, const struct fs_vm *vm,
		      bool cmdline, const char *hp, const char *sysctls, const char *word)
{
	char gone[600] = "";

	if (*sysctls)
		snprintf(gone, sizeof(gone), "; proc/cmdline's %s left out (it would set the pool "
			 "again at the boot's end)", sysctls);
	if (vm->pool == pool->total && pool->per_node && *hp && !*sysctls)
		note(f, "HugeTLB: proc/cmdline's %s as %s: the pool per node the dump shows (its "
			"boot spreads the count otherwise over the nodes)", hp, word);
	else if (*sysctls)
		note(f, "HugeTLB: the pool (%lu pages%s) is not what proc/cmdline boots (%s%s%s: %lu "
			"pages): a pool grown, shrunk or moved at run time comes back as a boot pool, "
			"%s (boot allocation places its pages, not where the run time put them)%s",
		     pool->total, vm->pool == pool->total ? " on other nodes" : "", hp, *hp ? " " : "",
		     sysctls, vm->pool, *word ? word : "none", gone);
	else
		note(f, "HugeTLB: the pool (%lu pages) is not %s%s%s: a pool grown, shrunk or moved at "
			"run time comes back as a boot pool, %s (boot allocation places its pages, not "
			"where the run time put them)", pool->total,
		     *hp ? "proc/cmdline's boot pool (" : cmdline ?
		     "booted (no hugepages= in proc/cmdline" : "known to be booted (no proc/cmdline in "
		     "the dump", hp, ")", *word ? word : "none");
}

/*
 * The kernel command line that reproduces auto_online_blocks and the
 * parameters the dump shows, and proc/cmdline's boot words (boot_words(),
 * merge_values()), with the pool and HVO as the dump shows them: the
 * line is booted (boot_line()), and where it boots another pool, the
 * dump's pool takes hugepages='s place (pool_word()) -- a boot pool, its
 * pages placed -- and where it boots another vm.hugetlb_optimize_vmemmap,
 * the dump's goes first as hugetlb_free_vmemmap= (reread31 R8: the boot
 * pool's pages optimised as it runs); the line's sysctl.vm.* words for
 * them go then, or they would set them again at the boot's end.  Into
 * f->line: the run-time sysctls come after calibration
 * (vm_sysctl_append()).
 */
static void print_cmdline(struct found *f, FILE *out, const bool *boot)
{
	static const char *const params[] = { "memmap_on_memory", "online_policy",
					      "auto_movable_ratio", "auto_movable_numa_aware" };
	char buf[128], values[1024], line[2048], pool_buf[HM_MAX_NUMNODES * 24], err[512];
	char hp[128], pool_sysctls[512], hvo_sysctls[512];
	struct found_pool pool;
	struct boot_words bw;
	const char *pool_w = NULL;
	struct fs_vm vm;
	size_t n = 0;
	int missing = 0, hvo = -1;
	unsigned long v;
	bool cmdline_known, booted;

	values[0] = '\0';
	if (read_line(f, "sys/devices/system/memory/auto_online_blocks", buf, sizeof(buf)))
		note(f, "auto_online_blocks: not found, the kernel's default (offline) where "
			"proc/cmdline sets none");
	else if (cmdline_word(values, sizeof(values), "memhp_default_state", buf))
		note(f, "auto_online_blocks: '%s': a '\"' no command-line word carries: left out",
		     buf);
	else
		n = strlen(values);
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (append_param(f, "memory_hotplug", params[i], values, sizeof(values), &n) ==
		    -ENOENT)
			missing++;
	if (missing)
		note(f, "memory_hotplug module parameters: %d of %zu not under "
		     "sys/module/memory_hotplug/parameters, the kernel's defaults where proc/cmdline "
		     "sets none", missing,
		     sizeof(params) / sizeof(params[0]));
	print_vmem_params(f, values, sizeof(values), &n);

	/* the line proc/cmdline's words make, and what it boots */
	cmdline_known = !boot_words(f, NULL, false, &bw);
	snprintf(hp, sizeof(hp), "%s", bw.hugepages ? bw.hp_word : "");
	merge_values(values, &bw, line, sizeof(line));
	vm_sysctl_words(line, sizeof(line), "nr_hugepages", "nr_hugepages_mempolicy", pool_sysctls,
			sizeof(pool_sysctls), false);
	vm_sysctl_words(line, sizeof(line), "hugetlb_optimize_vmemmap", NULL, hvo_sysctls,
			sizeof(hvo_sysctls), false);
	booted = boot_line(f, out, line, &vm, err, sizeof(err));
	if (!booted)
		note(f, "vm sysctls: the profile does not boot with proc/cmdline's words (%s): the "
			"pool, HVO and the sysctls as they set them, unchecked", err);
	scan_pool(f, &pool);
	if (!pool.known) {
		note(f, "HugeTLB: no kernel/mm/hugepages or nodeN/hugepages in the dump: the pool is "
			"%s", *hp || *pool_sysctls ? "proc/cmdline's boot pool (hugepages=)" : "none");
	} else if (booted && !pool_booted(&pool, &vm)) {
		pool_word(f, &pool, boot, pool_buf, sizeof(pool_buf));
		pool_w = pool_buf;
		note_pool(f, &pool, &vm, cmdline_known, hp, pool_sysctls, pool_buf);
	}
	if (booted && read_ulong(f, "proc/sys/vm/hugetlb_optimize_vmemmap", &v) &&
	    (v != 0) != (vm.hvo != 0)) {
		hvo = v != 0;
		if (n < sizeof(values))
			n += (size_t)snprintf(values + n, sizeof(values) - n,
					      "%shugetlb_free_vmemmap=%s", n ? " " : "",
					      hvo ? "on" : "off");
		note(f, "hugetlb_free_vmemmap: vm.hugetlb_optimize_vmemmap is %d, proc/cmdline boots "
			"it %s (written at run time): the profile boots hugetlb_free_vmemmap=%s%s%s%s; "
			"the boot pool's pages are optimised as that says, not as each was when the "
			"pool took it", hvo, vm.hvo ? "on" : "off", hvo ? "on" : "off",
		     *hvo_sysctls ? " (proc/cmdline's " : "", hvo_sysctls,
		     *hvo_sysctls ? " left out: it would set it again at the boot's end)" : "");
	}
	/* the line the profile boots: the pool's and HVO's words in place, notes said once */
	boot_words(f, pool_w, true, &bw);
	merge_values(values, &bw, line, sizeof(line));
	if (pool_w)
		vm_sysctl_words(line, sizeof(line), "nr_hugepages", "nr_hugepages_mempolicy",
				pool_sysctls, sizeof(pool_sysctls), true);
	if (hvo >= 0)
		vm_sysctl_words(line, sizeof(line), "hugetlb_optimize_vmemmap", NULL, hvo_sysctls,
				sizeof(hvo_sysctls), true);
	snprintf(f->line, sizeof(f->line), "%s", line);
}

/*
 * The run-time vm sysctls, each as the dump holds it (proc/sys/vm/NAME;
 * hotmemctl export copies watermark_scale_factor, lowmem_reserve_ratio,
 * watermark_boost_factor, percpu_pagelist_high_fraction and
 * sys/kernel/mm/hugepages, a live "/" has them
 * all) and as a boot of
 * the profile leaves it (fs_vm, by the index here)
 */
static const struct {
	const char *name;
	const char *alt;	/* where else a dump holds it, NULL none */
} run_time_vm[] = {
	{ "nr_overcommit_hugepages", "sys/kernel/mm/" HSTATE_2M "/nr_overcommit_hugepages" },
	{ "min_free_kbytes", NULL },
	{ "watermark_scale_factor", NULL },
	{ "lowmem_reserve_ratio", NULL },
	{ "user_reserve_kbytes", NULL },
	{ "admin_reserve_kbytes", NULL },
	{ "watermark_boost_factor", NULL },
	{ "percpu_pagelist_high_fraction", NULL },
};
#define NR_RUN_TIME_VM (sizeof(run_time_vm) / sizeof(run_time_vm[0]))

/* run_time_vm[@i] as @vm has it, as /proc/sys/vm shows it (tabs: spaces) */
static void vm_value(const struct fs_vm *vm, size_t i, char *buf, size_t len)
{
	const unsigned long ul[] = { vm->overcommit, vm->min_free_kbytes, (unsigned long)vm->wsf, 0,
				     vm->user_reserve_kbytes, vm->admin_reserve_kbytes, (unsigned long)vm->wbf,
				     (unsigned long)vm->pphf };
	size_t n = 0;

	if (i != 3) {
		snprintf(buf, len, "%lu", ul[i]);
		return;
	}
	buf[0] = '\0';
	for (int z = 0; z < HM_MAX_NR_ZONES && n < len; z++)
		n += (size_t)snprintf(buf + n, len - n, "%s%d", z ? " " : "", vm->ratio[z]);
}

/* run_time_vm[@i] as the dump holds it, its blanks one space; false when it does not */
static bool dump_value(const struct found *f, size_t i, char *buf, size_t len)
{
	char rel[128], line[256];
	size_t n = 0;

	snprintf(rel, sizeof(rel), "proc/sys/vm/%s", run_time_vm[i].name);
	if (read_line(f, rel, line, sizeof(line)) &&
	    (!run_time_vm[i].alt || read_line(f, run_time_vm[i].alt, line, sizeof(line))))
		return false;
	for (const char *c = line + strspn(line, " \t"); *c && n + 1 < len;) {
		size_t w = strcspn(c, " \t");

		n += (size_t)snprintf(buf + n, len - n, "%s%.*s", n ? " " : "", (int)w, c);
		c += w;
		c += strspn(c, " \t");
	}
	buf[n < len ? n : len - 1] = '\0';
	return n > 0;
}

/*
 * Does the kernel's parser give @word back as one parameter @param=@val?
 * 6.12 lib/cmdline.c next_arg(), which parse_args() (do_sysctl_args())
 * reads the line with: a '"' opens or closes a quote wherever it is --
 * there is no escape for it --, whitespace outside quotes ends the word,
 * a quote opening the word or its value is dropped, and so is one ending
 * the word then.  A word that leaves a quote open would run on into the
 * next one.  The engine's own next_arg() parses it (hotmem_cmdline_next_arg()).
 */
static bool next_arg_gives(const char *word, const char *param, const char *val)
{
	char buf[320], *name, *v;
	const char *p = word;
	unsigned int quotes = 0;

	for (const char *c = word; *c; c++)
		quotes += *c == '"';
	/* one word, the whole of @word, and no quote left open (it would run on) */
	if (quotes % 2 || !*word || hotmem_cmdline_isspace((unsigned char)*word) ||
	    hotmem_cmdline_next_arg(&p, buf, sizeof(buf), &name, &v) != 1 || *p)
		return false;
	return v && !strcmp(name, param) && !strcmp(v, val);
}

/*
 * sysctl.vm.@name=@val into @buf as the line carries it: bare, else
 * quoted ("..." around blanks), whichever next_arg() gives back as it is;
 * false when neither does (a '"' it would take for a quote)
 */
static bool vm_sysctl_word(const char *name, const char *val, char *buf, size_t len)
{
	static const char *const form[] = { "%s=%s", "%s=\"%s\"" };
	char param[80];

	snprintf(param, sizeof(param), "sysctl.vm.%s", name);
	for (size_t k = 0; k < sizeof(form) / sizeof(form[0]); k++) {
		if (snprintf(buf, len, form[k], param, val) >= (int)len)
			return false;
		if (next_arg_gives(buf, param, val))
			return true;
	}
	return false;
}

/*
 * The line decided (f->line, the pool and HVO in it) against the whole
 * profile, calibrated (@text: the profile without its cmdline key,
 * @calib: realmode and boot_reserved): each run-time vm sysctl the dump
 * holds whose value a boot of it does not leave gets a sysctl.vm.* word,
 * appended last, so that it wins over proc/cmdline's own as the kernel
 * applies the words in their order (do_sysctl_args()); a machine nothing
 * was changed on comes back with the line it booted with.  A word that
 * does not set its value (a hand dump's value the handler refuses) is
 * left out, said, and so is what still differs.
 */
static void vm_sysctl_append(struct found *f, const char *text, const char *calib)
{
	char words[NR_RUN_TIME_VM][300], want[NR_RUN_TIME_VM][256];
	char got[256], err[512], *full, line[sizeof(f->line)];
	struct fs_vm vm;
	bool add[NR_RUN_TIME_VM];
	size_t n;

	memset(add, 0, sizeof(add));
	if (with_line(&full, text, f->line, calib) < 0)
		return;
	if (!fs_boot_vm(full, &vm, err, sizeof(err))) {
		note(f, "vm sysctls: the profile does not boot (%s): none carried", err);
		free(full);
		return;
	}
	free(full);
	snprintf(line, sizeof(line), "%s", f->line);
	n = strlen(line);
	for (size_t i = 0; i < NR_RUN_TIME_VM; i++) {
		if (!dump_value(f, i, want[i], sizeof(want[i])))
			continue;
		vm_value(&vm, i, got, sizeof(got));
		if (!strcmp(got, want[i]))
			continue;
		if (!vm_sysctl_word(run_time_vm[i].name, want[i], words[i], sizeof(words[i]))) {
			note(f, "proc/sys/vm: %s %s: the kernel's command line cannot say it (6.12 "
				"next_arg() takes its '\"' for a quote, bare or quoted, and has no escape "
				"for it): not carried", run_time_vm[i].name, want[i]);
			continue;
		}
		if (n + 1 + strlen(words[i]) >= sizeof(line)) {
			note(f, "proc/sys/vm: %s: its word does not fit the cmdline line: not carried",
			     run_time_vm[i].name);
			continue;
		}
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s", n ? " " : "", words[i]);
		add[i] = true;
		if (i == 1)
			note(f, "proc/sys/vm: min_free_kbytes %s, the profile's boot computes %s (it was "
				"written, or raised by khugepaged, which hotmem does not model): %s, an "
				"operator's value (an online or offline that computes more takes that)",
			     want[i], got, words[i]);
	}
	/* nothing to check: the line as it was */
	if (n == strlen(f->line) || with_line(&full, text, line, calib) < 0)
		return;
	if (!fs_boot_vm(full, &vm, err, sizeof(err))) {
		note(f, "vm sysctls: the profile does not boot with their words (%s): none carried "
			"(%s)", err, line + strlen(f->line) + (*f->line ? 1 : 0));
		memset(add, 0, sizeof(add));
	}
	free(full);
	/* each word checked by a boot with them all: one that does not take goes */
	snprintf(line, sizeof(line), "%s", f->line);
	n = strlen(line);
	for (size_t i = 0; i < NR_RUN_TIME_VM; i++) {
		if (!add[i])
			continue;
		vm_value(&vm, i, got, sizeof(got));
		if (strcmp(got, want[i])) {
			note(f, "proc/sys/vm: %s %s: %s does not set it (the profile boots %s): "
				"not carried", run_time_vm[i].name, want[i], words[i], got);
			continue;
		}
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s", n ? " " : "", words[i]);
	}
	snprintf(f->line, sizeof(f->line), "%s", line);
}

/* boot memory in ZONE_MOVABLE without proc/cmdline's kernelcore=/movablecore= to put it there: said */
static void check_boot_zones(struct found *f, const bool *boot)
{
	struct boot_words bw;

	if (!boot_words(f, NULL, false, &bw) && bw.movable)
		return;
	for (unsigned long id = 0; id < f->nr; id++)
		if (boot[id] && f->blk[id].online && !strcmp(f->blk[id].zone, "Movable")) {
			note(f, "memory%lu: boot memory in ZONE_MOVABLE, and no kernelcore= or "
				"movablecore= in proc/cmdline (not in the dump, or refused): it boots in a "
				"kernel zone; a cmdline line with the machine's boots it there", id);
			return;
		}
}

/*
 * The blocks of device @i in the profile: the driver plugs from the
 * region's first memory block on, so its n-th block found is the
 * region's n-th one booted (the same when nothing was unplugged below
 * a plugged block).  False when some move.
 */
static bool vmem_at(struct found *f, int i)
{
	const struct found_vmem *v = &f->vmem[i];
	unsigned long at = (unsigned long)((v->start + f->block_size - 1) / f->block_size);
	bool same = true;

	for (unsigned long id = 0; id < f->nr; id++)
		if (f->blk[id].vmem == i + 1) {
			same &= id == at;
			f->blk[id].at = at++;
		}
	return same;
}

/*
 * A virtio_mem line a device: its region, node, and what sysfs does not
 * show, said: its block-size (QEMU's default) and requested-size (the
 * plugged size).  Booted, its memory comes up offline and the profile's
 * online lines bring the blocks found online back in their zones.
 */
static void print_vmem(struct found *f, FILE *out)
{
	for (int i = 0; i < f->nr_vmem; i++) {
		const struct found_vmem *v = &f->vmem[i];
		uint64_t size = v->end - v->start, bs = VMEM_QEMU_BLOCK_SIZE;
		uint64_t offline = 0;
		bool moved;

		/* QEMU: memaddr and the region aligned to block-size */
		while (bs > MiB && ((v->start | size) & (bs - 1)))
			bs >>= 1;
		note(f, "%s: block-size (the device block size): not in sysfs; %llu MiB, QEMU's "
			"default on x86 (Sub Block Mode then plugs sub-blocks of max(block-size, 2 MiB))",
		     v->name, (unsigned long long)(bs / MiB));
		note(f, "%s: requested-size: not in sysfs; its plugged size, %llu MiB (a device at rest "
			"reached what was asked); sub-blocks unplugged inside an added block are not in "
			"sysfs or /proc/iomem, each added block taken as fully plugged",
		     v->name, (unsigned long long)(v->plugged / MiB));
		moved = !vmem_at(f, i);
		if (moved)
			note(f, "%s: its blocks are not all from the region's start on; the driver plugs "
				"from the lowest address, so the profile's blocks of it are as many, in the "
				"same order and states, from the region's start", v->name);
		fprintf(out, "virtio_mem = id=%s memaddr=%#llx size=%#llx requested-size=%#llx "
			     "block-size=%#llx node=%d\n", v->name, (unsigned long long)v->start,
			(unsigned long long)size, (unsigned long long)v->plugged,
			(unsigned long long)bs, v->nid);
		for (unsigned long id = 0; id < f->nr; id++)
			if (f->blk[id].vmem == i + 1 && !f->blk[id].online)
				offline += f->block_size;
		if (offline > VMEM_OFFLINE_THRESHOLD)
			note(f, "%s: %llu MiB of it offline: the driver stops plugging at 1 GiB offline "
				"(offline_threshold) until blocks come online", v->name,
			     (unsigned long long)(offline / MiB));
	}
}

/*
 * cpu_nodes, where the tree says which nodes have CPUs; how many each
 * has is the host's (hotmemfs numbers the host's CPUs in runs over
 * them), said
 */
static void print_cpu_nodes(struct found *f, FILE *out)
{
	char list[4 * HM_MAX_NUMNODES];

	if (!f->cpu_nodes) {
		note(f, "cpu_nodes: no node/has_cpu, nodeN/cpulist or nodeN/cpuM in the tree: every "
			"node with memory at boot has CPUs");
		return;
	}
	hotmem_nodelist_format(f->cpu_nodes, list, sizeof(list));
	fprintf(out, "cpu_nodes = %s\n", list);
	note(f, "the CPUs: which nodes have them (cpu_nodes = %s), not how many: hotmemfs numbers "
		"the host's CPUs in runs over those nodes", list);
}

/* a boot piece [@start, ...) on @nid after @c's last: a new range unless it goes on the last */
static void srat_add_piece(struct hotmem_config *c, uint64_t start, int nid)
{
	struct hm_boot_range *last = c->nr_boot_ranges ? &c->boot[c->nr_boot_ranges - 1] : NULL;

	if ((last && last->nid == nid) || c->nr_boot_ranges == HM_MAX_BOOT_RANGES)
		return;
	c->boot[c->nr_boot_ranges++] = (struct hm_boot_range){ .start = start, .end = start + 1,
							       .nid = nid };
}

/*
 * The profile's node numbers are read as QEMU's (PXMs) and the guest's
 * ids given in SRAT order (engine/srat.c).  The tree's are a kernel's
 * ids: an x86 guest's come in that order (its CPUs' nodes first, then
 * the memory's by address), and read as PXMs they boot the same
 * machine.  Said in the profile; a tree whose ids are in another order
 * (another architecture, a firmware's own) would be renumbered: noted.
 */
static void print_node_numbering(struct found *f, FILE *out, const bool *boot)
{
	struct hotmem_config c = { .nr_possible_nodes = f->nr_nodes, .cpu_nodes = f->cpu_nodes };
	uint64_t start[HM_MAX_NUMNODES + 1];
	int nid[HM_MAX_NUMNODES];
	struct hm_pxm_map m;

	for (unsigned long id = 0; id < f->nr; id++) {
		if (!f->blk[id].present || !boot[id] || f->blk[id].vmem)
			continue;
		for (int i = 0, n = block_pieces(f, id, nid, start); i < n; i++)
			srat_add_piece(&c, start[i], nid[i]);
	}
	hotmem_srat_map(&c, &m);
	for (int i = 0; i < f->nr_nodes && i < HM_MAX_NUMNODES; i++) {
		if (m.node[i] == i)
			continue;
		note(f, "node numbers: the tree's node ids are not in x86's SRAT order (the CPUs' "
			"nodes first, then the memory's by address): hotmem reads a profile's nodes "
			"as QEMU's (PXMs) and boots node %d of this profile as the guest's node %d",
		     i, m.node[i]);
		return;
	}
	fprintf(out, "# nodes: the tree's node ids, in x86's SRAT order: read as QEMU's -numa "
		     "nodeid= (PXMs) they boot the same guest\n");
}

/* one row of nodeN/distance into @row (@nr values): 0, else -1 */
static int read_distance_row(const struct found *f, int nid, int *row, int nr)
{
	char rel[64], buf[4 * HM_MAX_NUMNODES + 8], *p = buf;

	snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/distance", nid);
	if (read_line(f, rel, buf, sizeof(buf)))
		return -1;
	for (int i = 0; i < nr; i++) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p || v < 0 || v > 255)
			return -1;
		row[i] = (int)v;
		p = end;
	}
	return *p ? -1 : 0;
}

/* what config.c's parse_distance() takes: 10 to itself, else 11..255 */
static bool distance_ok(int from, int to, int d)
{
	return from == to ? d == 10 : d > 10 && d <= 255;
}

/*
 * The firmware's SLIT as nodeN/distance shows it (node_read_distance(),
 * 6.12: node_distance(N, i) for each online node i, in order): `distance`
 * lines, when it is not what a profile without them gives (x86 without a
 * SLIT: 10 local, 20 remote).  A possible node that is offline has no
 * nodeN and no column: its distances are not in sysfs, taken as 20 and
 * said.  A table the engine would refuse is left out, said.
 */
static void print_distance(struct found *f, FILE *out)
{
	unsigned char d[HM_MAX_NUMNODES][HM_MAX_NUMNODES] = { { 0 } }; /* 0: not in sysfs */
	int on[HM_MAX_NUMNODES], nr_on = 0, nr = f->nr_nodes, row[HM_MAX_NUMNODES];
	bool slit = false;

	if (nr > HM_MAX_NUMNODES)
		nr = HM_MAX_NUMNODES;
	for (int i = 0; i < nr; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/distance", i);
		if (exists(f, rel))
			on[nr_on++] = i;
	}
	for (int a = 0; a < nr_on; a++) {
		if (read_distance_row(f, on[a], row, nr_on)) {
			note(f, "distance: node%d/distance is not one number per online node: "
				"took 10 local, 20 remote", on[a]);
			return;
		}
		for (int b = 0; b < nr_on; b++) {
			if (!distance_ok(on[a], on[b], row[b])) {
				note(f, "distance: %d from node %d to %d, which a profile cannot say: "
					"took 10 local, 20 remote", row[b], on[a], on[b]);
				return;
			}
			d[on[a]][on[b]] = (unsigned char)row[b];
			slit |= a != b && row[b] != 20;
		}
	}
	if (!slit)
		return;
	if (nr_on < nr)
		note(f, "distance: the offline nodes' (no nodeN/distance): took 20");
	for (int i = 0; i < nr; i++)
		for (int j = i + 1; j < nr; j++) {
			bool known = d[i][j] && d[j][i];

			fprintf(out, "distance = %d %d %d\n", i, j, known ? d[i][j] : 20);
			if (known && d[j][i] != d[i][j])
				fprintf(out, "distance = %d %d %d\n", j, i, d[j][i]);
		}
}

/* how boot memory was told from hot-added memory (classify_boot()) */
static void note_boot_rule(struct found *f, unsigned long first_hot)
{
	if (f->fw_links) {
		note(f, "boot or hot-added: by the memoryN/firmware_node links "
			"(acpi_bind_memory_blocks()): a block linked to an ACPI memory device "
			"(PNP0C80) is its DIMM's, one hotplug line each; every other block%s is boot "
			"memory (memory hot-added through memory/probe or a driver other than "
			"virtio-mem, which no link shows, would be taken as boot memory too)",
		     f->nr_vmem ? " outside the virtio-mem devices" : "");
		return;
	}
	note(f, "boot or hot-added: no memoryN/firmware_node link to an ACPI memory device "
		"(PNP0C80) in the tree (no DIMM plugged, a machine without ACPI memory devices, "
		"a kernel or a dump without the links); took %s as boot memory%s",
	     first_hot < f->nr ? "the blocks below the first hot-added one's run" :
	     f->nr_vmem ? "every block outside the virtio-mem devices" : "every block",
	     first_hot < f->nr ? " and the rest as hot-added (x86: RAM below the PCI hole, "
				 "then from 4 GiB; offline or Movable blocks are hot-added)" : "");
}

/*
 * The DIMMs found by their links: a profile's hotplug lines take the
 * slots in order (dimmN in slot N), so a DIMM found in another slot than
 * its line's is said.
 */
static void note_dimm_slots(struct found *f)
{
	unsigned long slot = 0, k;
	const char *prev = "";

	for (unsigned long id = 0; id < f->nr; id++) {
		const char *fw = f->blk[id].fw;

		if (!f->blk[id].present || !fw[0] || !strcmp(fw, prev))
			continue;
		prev = fw;
		if (sscanf(fw, "PNP0C80:%lx", &k) != 1 || k != slot)
			note(f, "memory%lu: the DIMM in %s is the profile's hotplug line %lu, in slot "
				"%lu (hotplug lines take the slots in order; which slot a DIMM is in "
				"is not in a profile)", id, fw, slot, slot);
		slot++;
	}
}

static int write_profile(struct found *f, FILE *out);

/*
 * QEMU's -m (ram_size) from the dump's firmware table, by the engine's
 * rule for the e820 lines written of it (hotmem_e820_qemu_ram_size(),
 * QEMU 7.2's layout), the DIMMs' entries left out.  0: no such top (no
 * sys/firmware/memmap): the engine then counts boot RAM in whole blocks,
 * and so does maxmem_from_srat().
 */
static uint64_t qemu_ram_size(const struct found *f)
{
	struct hm_e820_entry e820[MAX_FWMAP];
	int n = 0;

	for (int i = 0; i < f->nr_fwmap; i++)	/* by N: the firmware's table, in address order */
		if (!f->fwmap[i].hot)
			fwmap_e820(&f->fwmap[i], &e820[n++]);
	return hotmem_e820_qemu_ram_size(e820, n);
}

/*
 * maxmem and qemu_maxmem from the guest's SRAT hotplug range [@hs, @he)
 * (fs_srat_hotplug()), QEMU's device-memory region: its end is where the
 * guest's physical addresses end (in whole blocks, and past every block
 * @end found), and with the DIMM slots known (@slots, the PNP0C80
 * devices) QEMU's -m maxmem= is the region less 1 GiB a slot plus its
 * RAM, ram_size (qemu_ram_size(); pc_memory_init(), 7.2: the region is
 * maxmem - ram_size + 1 GiB a slot).  vmem33: from-sysfs wrote maxmem =
 * 64G and no qemu_maxmem whatever the dump said.
 */
static void maxmem_from_srat(struct found *f, const bool *boot, uint64_t end, int slots,
			     uint64_t hs, uint64_t he, uint64_t *maxmem, uint64_t *qemu_maxmem)
{
	uint64_t ram = qemu_ram_size(f), size = he - hs;
	uint64_t top = (he + f->block_size - 1) & ~(f->block_size - 1);
	bool by_blocks = !ram;

	/* no firmware table: boot RAM's blocks, ram_size rounded up to a block (the engine's) */
	for (unsigned long id = 0; by_blocks && id < f->nr; id++)
		ram += f->blk[id].present && boot[id] ? f->block_size : 0;
	*maxmem = top > end ? top : (end + f->block_size - 1) & ~(f->block_size - 1);
	if (slots > 0 && size > (uint64_t)slots * GiB && ram)
		*qemu_maxmem = size - (uint64_t)slots * GiB + ram;
	note(f, "maxmem: not in sysfs; %#llx, where dmesg's SRAT hotplug range %#llx-%#llx (QEMU's "
		"device memory) ends%s; qemu_maxmem %s", (unsigned long long)*maxmem,
	     (unsigned long long)hs, (unsigned long long)he - 1,
	     top < end ? ", up to the last block" : "",
	     !*qemu_maxmem ? "not written: the DIMM slots (sys/bus/acpi/devices' PNP0C80) are not "
			     "in the dump, QEMU's maxmem is then maxmem - the region's base" :
	     by_blocks ? "its size less 1 GiB a slot plus boot RAM's blocks (QEMU's region; no "
			 "firmware/memmap to say -m's RAM, which may end inside a block)" :
			 "its size less 1 GiB a slot plus -m's RAM (QEMU's region; the RAM its e820 "
			 "gives and SeaBIOS's reserved top of it)");
}

/*
 * The profile, then the boot reservations' realmode and boot_reserved:
 * calibrated by booting the profile written (from_sysfs_boot.c), so after
 * all of it
 */
static int write_profile_calibrated(struct found *f, FILE *out)
{
	char *text = NULL, *calib = NULL, *full;
	size_t len = 0, clen = 0;
	FILE *m = open_memstream(&text, &len), *c;
	int ret;

	if (!m)
		return -ENOMEM;
	f->profile_text = &text;
	ret = write_profile(f, m);
	f->profile_text = NULL;
	fclose(m);
	c = ret ? NULL : open_memstream(&calib, &clen);
	if (!ret && !c)
		ret = -ENOMEM;
	if (ret)
		goto out;
	/* calibrated with the pool and HVO decided: a boot pool's HVO moves MemTotal */
	if (with_line(&full, text, f->line, "") < 0) {
		fclose(c);
		ret = -ENOMEM;
		goto out;
	}
	fs_boot_calibrate(&f->boot, full, c, f->notes);
	free(full);
	fclose(c);
	/* the run-time sysctls' words: end-of-boot writes, which move no reservation */
	vm_sysctl_append(f, text, calib);
	fputs(text, out);
	if (*f->line)
		fprintf(out, "cmdline = \"%s\"\n", f->line);
	fputs(calib, out);
out:
	free(calib);
	free(text);
	return ret;
}

static int write_profile(struct found *f, FILE *out)
{
	bool *boot = calloc(f->nr, sizeof(*boot));
	uint64_t end = blk_start(f, f->nr), maxmem = 64 * GiB, qemu_maxmem = 0;
	unsigned long long hp_start = 0, hp_end = 0;
	char qm[64] = "";
	unsigned long first_hot = f->nr;
	bool hvo_known, ram_fwmap;
	char head[256];
	int slots;

	if (!boot)
		return -ENOMEM;
	classify_boot(f, boot);
	classify_fwmap(f, boot);
	ram_fwmap = ram_from_fwmap(f);
	for (unsigned long id = 0; id < f->nr; id++)
		if (f->blk[id].present && !boot[id] && !f->blk[id].vmem && id < first_hot)
			first_hot = id;
	for (int i = 0; i < f->nr_vmem; i++)
		if (f->vmem[i].end > end)
			end = f->vmem[i].end;
	note_boot_rule(f, first_hot);
	check_boot_zones(f, boot);
	if (f->nr_ram)
		note(f, "holes inside a block: not in sysfs; boot RAM cut to %s System RAM",
		     !ram_fwmap ? "proc/iomem's" : f->fwmap_dmesg ?
		     "dmesg's BIOS-e820 table's (no proc/iomem, no firmware/memmap)" :
		     "firmware/memmap's (no proc/iomem)");
	else if (f->blk[0].present && boot[0])
		note(f, "holes inside a block: not in sysfs; memory0 has x86's (the first 4 KiB, "
			"0x9f000-0xfffff)");
	slots = count_dimm_slots(f);
	if (fs_srat_hotplug(f->dir, &hp_start, &hp_end)) {
		maxmem_from_srat(f, boot, end, slots, hp_start, hp_end, &maxmem, &qemu_maxmem);
	} else {
		if (end > maxmem)
			maxmem = (end + 64 * GiB - 1) & ~(64 * GiB - 1);
		note(f, "maxmem: not in sysfs; %llu GiB (a dump's dmesg with the guest's \"ACPI: "
			"SRAT: ... hotplug\" line gives QEMU's device memory, its end and -m maxmem=)",
		     (unsigned long long)(maxmem / GiB));
	}
	if (first_hot < f->nr && !f->fw_links)
		note(f, "the DIMMs behind hot-added memory: not in sysfs; each hot-added range is "
			"one DIMM (a static memory group, as ACPI adds it)");
	if (f->fw_links)
		note_dimm_slots(f);
	if (slots > 0 && slots < count_hot_runs(f, boot)) {
		note(f, "slots: %d ACPI memory devices (PNP0C80) but more hot-added ranges: took "
			"one slot per range", slots);
		slots = count_hot_runs(f, boot);
	} else if (slots > 0) {
		note(f, "slots: %d, the ACPI memory devices (PNP0C80) in sys/bus/acpi/devices",
		     slots);
	}
	/* hugetlb_free_vmemmap: from proc/sys/vm/hugetlb_optimize_vmemmap where the dump has it */
	hvo_known = exists(f, "proc/sys/vm/hugetlb_optimize_vmemmap");
	note(f, "which hot-added memory self-hosts its memmap (memmap_on_memory), the kernel's "
		"own allocations%s: not in sysfs; %s", hvo_known ? "" : ", hugetlb_free_vmemmap",
	     !exists(f, "proc/cmdline") ? "hotmem's defaults" : hvo_known ?
	     "proc/cmdline's words for them where it has them (hotmem.kernel_alloc), else "
	     "hotmem's defaults" : "proc/cmdline's words for them where it has them "
	     "(hugetlb_free_vmemmap, hotmem.kernel_alloc), else hotmem's defaults");

	fprintf(out, "# hotmem profile --from-sysfs %s\n", f->dir);
	print_node_numbering(f, out, boot);
	fprintf(out, "profile = default\n");
	fprintf(out, "name = from-sysfs\n");
	if (qemu_maxmem)
		snprintf(qm, sizeof(qm), "qemu_maxmem = %#llx\n", (unsigned long long)qemu_maxmem);
	snprintf(head, sizeof(head), "block_size = %#llx\nmax_physmem_bits = %d\nmaxmem = %#llx\n"
		 "%snodes = %d\n", (unsigned long long)f->block_size, maxmem > (1ULL << 46) ? 52 : 46,
		 (unsigned long long)maxmem, qm, f->nr_nodes);
	fputs(head, out);
	print_cpu_nodes(f, out);
	print_distance(f, out);
	if (exists(f, "sys/devices/system/memory/probe"))
		fprintf(out, "probe = yes\n");
	if (exists(f, "sys/devices/system/memory/soft_offline_page"))
		fprintf(out, "memory_failure = yes\n");
	if (exists(f, "sys/devices/system/memory/crash_hotplug"))
		fprintf(out, "crash_hotplug = yes\n");
	/* CONFIG_PM_ADVANCED_DEBUG's power_attrs[]: async on every device */
	if (exists(f, "sys/devices/system/memory/power/async"))
		fprintf(out, "pm_advanced_debug = yes\n");
	/* 256 is profile = default's own (QEMU's most): said only when it differs */
	if (slots > 0 && slots != HM_ACPI_MAX_RAM_SLOTS)
		fprintf(out, "slots = %d\n", slots);
	print_ranges(f, out, boot, head);
	/* after the ram lines, as the profile keys want (reread33 R2) */
	print_boot_reservations(f, out);
	print_vmem(f, out);
	print_states(f, out, boot);
	print_cmdline(f, out, boot);
	free(boot);
	return 0;
}

/* a note's subject: its words up to the first ": " or " (", cut at 48 bytes */
static int note_topic(const char *l, int len)
{
	const char *colon = memmem(l, (size_t)len, ": ", 2), *paren = memmem(l, (size_t)len, " (", 2);
	int n = len;

	if (colon && colon - l < n)
		n = (int)(colon - l);
	if (paren && paren - l < n)
		n = (int)(paren - l);
	return n < 48 ? n : 48;
}

/* how many notes of @buf have the topic @t (@n bytes) */
static int topic_count(const char *buf, const char *t, int n)
{
	int count = 0;

	for (const char *l = buf; *l;) {
		const char *nl = strchr(l, '\n');
		int len = nl ? (int)(nl - l) : (int)strlen(l);

		if (note_topic(l, len) == n && !memcmp(l, t, (size_t)n))
			count++;
		l = nl ? nl + 1 : l + len;
	}
	return count;
}

/* a note of @buf before @at has the topic @t (@n bytes): it was said there */
static bool topic_seen_before(const char *buf, const char *at, const char *t, int n)
{
	for (const char *l = buf; l < at;) {
		const char *nl = strchr(l, '\n');
		int len = nl ? (int)(nl - l) : (int)strlen(l);

		if (note_topic(l, len) == n && !memcmp(l, t, (size_t)n))
			return true;
		l = nl ? nl + 1 : l + len;
	}
	return false;
}

/*
 * The notes to the person, once: a profile written has them all as its
 * "# could not infer:" lines, so stderr gets one line, their count and
 * subjects (user42 U1: nine paragraphs on stderr, the host's whole
 * /proc/cmdline among them, each said twice).  A profile not written
 * (@ret) has no lines to point to: the notes are said whole, as before.
 */
static void notes_said(const char *buf, int ret, FILE *to)
{
	int nr = 0, len;

	for (const char *l = buf; l && *l; l += len + (l[len] == '\n')) {
		len = (int)strcspn(l, "\n");
		nr++;
	}
	if (!nr)
		return;
	if (ret) {
		for (const char *l = buf; *l; l += len + (l[len] == '\n')) {
			len = (int)strcspn(l, "\n");
			fprintf(to, "hotmem: could not infer: %.*s\n", len, l);
		}
		return;
	}
	fprintf(to, "hotmem: could not infer %d thing%s; the profile's \"# could not infer:\" lines "
		    "say each and what was taken instead:", nr, nr == 1 ? "" : "s");
	for (const char *l = buf, *sep = " "; *l; l += len + (l[len] == '\n')) {
		int n, count;

		len = (int)strcspn(l, "\n");
		n = note_topic(l, len);
		if (topic_seen_before(buf, l, l, n))
			continue;
		count = topic_count(buf, l, n);
		fprintf(to, count > 1 ? "%s%.*s (%d)" : "%s%.*s", sep, n, l, count);
		sep = ", ";
	}
	fputc('\n', to);
}

int hotmem_profile_from_sysfs(const char *dir, FILE *out, FILE *notes_out)
{
	struct found f = { .dir = dir };
	char buf[64], *end;
	int ret;

	f.notes = open_memstream(&f.notes_buf, &f.notes_len);
	if (!f.notes)
		return -ENOMEM;
	ret = read_line(&f, "sys/devices/system/memory/block_size_bytes", buf, sizeof(buf));
	if (ret) {
		fprintf(stderr, "hotmem: %s/sys/devices/system/memory/block_size_bytes: %s\n", dir,
			strerror(-ret));
		goto out;
	}
	f.block_size = strtoull(buf, &end, 16);
	if (end == buf || *end) {
		/* drivers/base/memory.c block_size_bytes_show() writes "%lx\n" */
		fprintf(stderr,
			"hotmem: %s: block_size_bytes '%s' is not a hex number (the kernel writes e.g. 8000000)\n",
			dir, buf);
		ret = -EINVAL;
		goto out;
	}
	if (!f.block_size || (f.block_size & (f.block_size - 1))) {
		fprintf(stderr, "hotmem: %s: block_size_bytes '%s' is not a power of two\n", dir, buf);
		ret = -EINVAL;
		goto out;
	}
	ret = scan_blocks(&f);
	if (ret) {
		fprintf(stderr, "hotmem: %s/sys/devices/system/memory: %s\n", dir,
			ret == -ENOENT ? "no memoryN blocks" : strerror(-ret));
		goto out;
	}
	node_links(&f);
	f.cpu_nodes = scan_cpu_nodes(&f);
	nodes(&f);
	scan_iomem(&f);
	scan_fwmap(&f);
	claim_vmem_blocks(&f);
	ret = write_profile_calibrated(&f, out);
	fflush(f.notes);
	/* the notes: as comments in the profile */
	for (char *l = f.notes_buf; l && *l;) {
		char *nl = strchr(l, '\n');
		int len = nl ? (int)(nl - l) : (int)strlen(l);

		fprintf(out, "# could not infer: %.*s\n", len, l);
		l = nl ? nl + 1 : l + len;
	}
	if (notes_out)
		notes_said(f.notes_buf, ret, notes_out);
out:
	fclose(f.notes);
	free(f.notes_buf);
	free(f.blk);
	return ret;
}
