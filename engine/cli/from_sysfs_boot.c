// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem profile --from-sysfs: the boot's memblock reservations
 * (docs/profile.md's kernel_image, initrd, realmode, swiotlb,
 * boot_reserved) as a dump shows them -- x86 6.12 as a 6.12.117 guest
 * logs them (tests/fixtures/boot-map/):
 *
 *  - DIR/proc/iomem's "Kernel code", "Kernel rodata", "Kernel data" and
 *    "Kernel bss" children of System RAM (setup_arch()'s code_resource
 *    ...: [_text, _etext), [__start_rodata, __end_rodata), [_sdata,
 *    _edata), [__bss_start, __bss_stop)), root's view: without
 *    CAP_SYS_ADMIN they read 0, and only the image's place is lost --
 *    boot_reserved, calibrated against MemTotal, takes its size; initrd
 *    and swiotlb are dmesg's;
 *  - DIR/dmesg (`dmesg > DUMP/dmesg`; hotmemctl export writes the lines
 *    read here): mem_init_print_info()'s "Memory: ...K/...K available
 *    (... NK init, ... NK reserved, ...)" -- the init section's size and
 *    the boot's reserved total --, "Freeing SMP alternatives memory: NK"
 *    (.smp_locks), "Freeing unused decrypted memory: NK" (the unused
 *    .bss..decrypted, at bss's end: BSS_DECRYPTED aligns its end to
 *    PMD_SIZE, __bss_stop's), reserve_initrd()'s "RAMDISK: [mem S-E]",
 *    swiotlb_print_info()'s "software IO TLB: mapped [mem S-E] (NMB)";
 *    and, from a boot with memblock=debug only, reserve_brk()'s
 *    "memblock_reserve: [S-E] setup_arch+..." that starts at the page
 *    after Kernel bss (__brk_base): the brk (brk44; a log without it
 *    leaves the brk in boot_reserved, calibrated);
 *  - DIR/proc/meminfo's MemTotal, where the dump has no "Memory:" line.
 *
 * Not in any of them, inferred and said: where init and .smp_locks lie
 * (vmlinux.lds.S 6.12 x86_64 puts them last before bss: __init_begin ...
 * __init_end, .smp_locks, .data_nosave's page, .bss -- a 6.12.117 guest's
 * are so, 0xb136000 - 4K = .smp_locks' end), and realmode and
 * boot_reserved, which no line says: the profile is booted with the
 * reservations found and boot_reserved is what the dump's reserved total
 * (else MemTotal) leaves over, realmode yes where that leaves room for
 * it (reserve_real_mode() reserves the first MiB on every x86_64 6.12
 * boot).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hotmem.h"
#include "from_sysfs_boot.h"

#define PAGE_4K 4096ULL
#define PG_ALIGN(x) (((x) + PAGE_4K - 1) & ~(PAGE_4K - 1))

/* an inclusive range, as /proc/iomem and a profile say them; end 0: not found */
struct incl {
	unsigned long long start, end;
};

struct boot_seen {
	struct incl code, rodata, data, bss;
	bool iomem_zero;		/* the Kernel lines read 0 (no CAP_SYS_ADMIN) */
	bool dmesg;			/* DIR/dmesg in the dump */
	unsigned long init_k, smp_locks_k, decrypted_k, initrd_freed_k;
	struct incl initrd;		/* RAMDISK: */
	unsigned long long swiotlb;	/* software IO TLB: mapped's bytes */
	/* memblock=debug's memblock_reserve lines from setup_arch() itself (brk among them) */
	struct incl setup_arch_res[8];
	int nr_setup_arch_res;
};

static void note(FILE *notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(FILE *notes, const char *fmt, ...)
{
	va_list ap;

	if (!notes)
		return;
	va_start(ap, fmt);
	vfprintf(notes, fmt, ap);
	va_end(ap);
	fputc('\n', notes);
}

static FILE *open_in(const char *dir, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return fopen(path, "re");
}

/* proc/iomem's Kernel lines: children of a System RAM ("  START-END : Kernel code") */
static void scan_iomem_kernel(const char *dir, struct boot_seen *s)
{
	static const char *const names[] = { "Kernel code", "Kernel rodata", "Kernel data",
					     "Kernel bss" };
	struct incl *parts[] = { &s->code, &s->rodata, &s->data, &s->bss };
	char line[512];
	FILE *fp = open_in(dir, "proc/iomem");

	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		unsigned long long a, b;
		int at = 0;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "  ", 2) || line[2] == ' ' ||
		    sscanf(line + 2, "%llx-%llx : %n", &a, &b, &at) != 2 || !at)
			continue;
		for (size_t i = 0; i < 4; i++)
			if (!strcmp(line + 2 + at, names[i]) && !parts[i]->end) {
				parts[i]->start = a;
				parts[i]->end = b;
				s->iomem_zero |= !a && !b;
			}
	}
	fclose(fp);
}

/* a dmesg line's message: past "<6>" (dmesg -r) and "[    0.000000] " (dmesg) */
static const char *message(const char *l)
{
	l += strspn(l, " \t");
	if (*l == '<')
		l += strspn(l, "<0123456789>");
	if (*l == '[' && strchr(l, ']'))
		l = strchr(l, ']') + 1;
	return l + strspn(l, " \t");
}

/*
 * A memblock=debug line of setup_arch()'s own memblock_reserve() (6.12
 * memblock_reserve(): "memblock_reserve: [%pa-%pa] %pS", the end
 * inclusive): where reserve_brk() is among them
 */
static void scan_setup_arch_reserve(const char *m, struct boot_seen *s)
{
	unsigned long long a, e;
	int at = 0;

	if (s->nr_setup_arch_res < (int)(sizeof(s->setup_arch_res) / sizeof(s->setup_arch_res[0])) &&
	    sscanf(m, "memblock_reserve: [%llx-%llx] %n", &a, &e, &at) == 2 && at && e >= a &&
	    !strncmp(m + at, "setup_arch+", strlen("setup_arch+")))
		s->setup_arch_res[s->nr_setup_arch_res++] = (struct incl){ a, e };
}

static void scan_dmesg(const char *dir, struct boot_seen *s, struct fs_boot *b)
{
	char line[1024];
	FILE *fp = open_in(dir, "dmesg");

	if (!fp)
		return;
	s->dmesg = true;
	while (fgets(line, sizeof(line), fp)) {
		const char *m = message(line);
		unsigned long avail, phys, code, rw, ro, init, bss, res;
		unsigned long long a, e, mb;

		if (!b->memory_line &&
		    sscanf(m, "Memory: %luK/%luK available (%luK kernel code, %luK rwdata, %luK "
			      "rodata, %luK init, %luK bss, %luK reserved,", &avail, &phys, &code, &rw,
			   &ro, &init, &bss, &res) == 8) {
			b->memory_line = true;
			b->reserved_k = res;
			s->init_k = init;
		} else if (!s->initrd.end && sscanf(m, "RAMDISK: [mem %llx-%llx]", &a, &e) == 2 &&
			   e > a) {
			s->initrd = (struct incl){ a, e };
		} else if (!s->swiotlb &&
			   sscanf(m, "software IO TLB: mapped [mem %llx-%llx] (%lluMB)", &a, &e,
				  &mb) == 3 && e > a) {
			s->swiotlb = e - a;	/* mem->end: exclusive */
		} else if (!s->smp_locks_k) {
			sscanf(m, "Freeing SMP alternatives memory: %luK", &s->smp_locks_k);
		}
		if (!s->decrypted_k)
			sscanf(m, "Freeing unused decrypted memory: %luK", &s->decrypted_k);
		if (!s->initrd_freed_k)
			sscanf(m, "Freeing initrd memory: %luK", &s->initrd_freed_k);
		scan_setup_arch_reserve(m, s);
	}
	fclose(fp);
}

/* the brk's bytes: setup_arch()'s reservation from __brk_base, the page after bss; 0 none */
static unsigned long long brk_bytes(const struct boot_seen *s)
{
	for (int i = 0; i < s->nr_setup_arch_res; i++)
		if (s->setup_arch_res[i].start == PG_ALIGN(s->bss.end + 1) &&
		    !((s->setup_arch_res[i].end + 1) % PAGE_4K))
			return s->setup_arch_res[i].end + 1 - s->setup_arch_res[i].start;
	return 0;
}

static void scan_memtotal(const char *dir, struct fs_boot *b)
{
	char line[256];
	FILE *fp = open_in(dir, "proc/meminfo");

	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "MemTotal: %lu kB", &b->memtotal_k) == 1) {
			b->memtotal = true;
			break;
		}
	fclose(fp);
}

/* @text (a profile over the default built-in) parsed; NULL and @err when refused */
static struct hotmem_config *parse(const char *text, char *err, size_t errlen)
{
	struct hotmem_config *cfg = malloc(sizeof(*cfg));

	if (!cfg) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	if (hotmem_config_builtin(cfg, "default") ||
	    hotmem_config_parse_text(cfg, text, err, errlen)) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

static void put_range(char *buf, size_t len, size_t *n, const char *name, unsigned long long s,
		      unsigned long long e)
{
	if (*n < len)
		*n += (size_t)snprintf(buf + *n, len - *n, " %s=%#llx-%#llx", name, s, e);
}

/*
 * kernel_image from the four Kernel lines and the log's sizes: init and
 * .smp_locks below bss, .data_nosave's page between (vmlinux.lds.S), the
 * unused decrypted bss at bss's end; @nosave 0 where that page does not
 * fit.  False when init does not fit above data.
 */
static bool image_line(const struct boot_seen *s, unsigned long long nosave, char *buf,
		       size_t len)
{
	unsigned long long smp_end = s->bss.start - nosave, smp = s->smp_locks_k * 1024ULL;
	unsigned long long init = s->init_k * 1024ULL, dec = s->decrypted_k * 1024ULL;
	size_t n = 0;

	if (s->bss.start < nosave + smp + init || smp_end - smp - init < PG_ALIGN(s->data.end + 1) ||
	    dec > s->bss.end + 1 - s->bss.start)
		return false;
	n += (size_t)snprintf(buf, len, "kernel_image =");
	put_range(buf, len, &n, "code", s->code.start, s->code.end);
	put_range(buf, len, &n, "rodata", s->rodata.start, s->rodata.end);
	put_range(buf, len, &n, "data", s->data.start, s->data.end);
	put_range(buf, len, &n, "init", smp_end - smp - init, smp_end - smp - 1);
	if (smp)
		put_range(buf, len, &n, "smp_locks", smp_end - smp, smp_end - 1);
	put_range(buf, len, &n, "bss", s->bss.start, s->bss.end);
	if (dec)
		put_range(buf, len, &n, "bss_decrypted_unused", s->bss.end + 1 - dec, s->bss.end);
	if (n < len)
		snprintf(buf + n, len - n, "\n");
	return n < len;
}

void fs_boot_keys(const char *dir, const char *so_far, FILE *out, FILE *notes, struct fs_boot *b)
{
	struct boot_seen s = { 0 };
	char lines[1024] = "", image[512] = "", err[512];
	unsigned long long brk = 0;
	struct hotmem_config *cfg;
	size_t n = 0;
	char *text;

	memset(b, 0, sizeof(*b));
	scan_iomem_kernel(dir, &s);
	scan_dmesg(dir, &s, b);
	scan_memtotal(dir, b);
	/*
	 * A user's /proc/iomem (6.12 kernel/resource.c r_show(): without
	 * CAP_SYS_ADMIN both ends read 0) places no image; dmesg's RAMDISK:
	 * and software IO TLB: lines need no iomem and still place the
	 * initrd and swiotlb.  realmode and boot_reserved are calibrated
	 * against the dump's MemTotal (fs_boot_calibrate()), which the
	 * image's place does not change: boot_reserved takes the image's
	 * size, and the machine is the dump's, as a root dump without the
	 * "Memory:" line gets it (reread35 R2: none were written, the
	 * profile booted the image's ~43 MiB too many).
	 */
	b->unplaced = s.iomem_zero;
	if (s.iomem_zero)
		note(notes, "boot reservations: proc/iomem's Kernel lines read 0 (read without "
			    "CAP_SYS_ADMIN): no kernel_image (boot_reserved, calibrated against "
			    "MemTotal, stands for it)%s",
		     s.initrd.end || s.swiotlb ? "; initrd and swiotlb from dmesg alone" : "");
	b->image = !s.iomem_zero && s.code.end && s.rodata.end && s.data.end && s.bss.end;
	if (b->image && !b->memory_line)
		note(notes, "boot reservations: proc/iomem shows the kernel image, but its init "
			    "section's size is not in the dump (dmesg's \"Memory: ...\" line says it: "
			    "`dmesg > DUMP/dmesg`): no kernel_image");
	else if (!b->image && b->memory_line && !s.iomem_zero)
		note(notes, "boot reservations: dmesg's \"Memory:\" line but no Kernel lines in "
			    "proc/iomem (root's /proc/iomem has them): no kernel_image");
	if (b->image && b->memory_line &&
	    !image_line(&s, PAGE_4K, image, sizeof(image)) &&
	    !image_line(&s, 0, image, sizeof(image)))
		note(notes, "boot reservations: init (%luK) and .smp_locks (%luK) do not fit between "
			    "proc/iomem's Kernel data and Kernel bss: no kernel_image", s.init_k,
		     s.smp_locks_k);
	if (*image)
		n += (size_t)snprintf(lines + n, sizeof(lines) - n, "%s", image);
	/* the brk follows the image's bss: placed only with it */
	if (*image)
		brk = brk_bytes(&s);
	if (brk && n < sizeof(lines))
		n += (size_t)snprintf(lines + n, sizeof(lines) - n, "brk = %#llx\n", brk);
	if (s.initrd.end && n < sizeof(lines))
		n += (size_t)snprintf(lines + n, sizeof(lines) - n, "initrd = %#llx-%#llx\n",
				      s.initrd.start, s.initrd.end);
	else if (s.initrd_freed_k)
		note(notes, "boot reservations: dmesg frees an initrd (%luK) but has no \"RAMDISK: "
			    "[mem ...]\" line to place it: no initrd (boot_reserved, calibrated, "
			    "takes its size)", s.initrd_freed_k);
	if (s.swiotlb && n < sizeof(lines))
		n += (size_t)snprintf(lines + n, sizeof(lines) - n, "swiotlb = %#llx\n", s.swiotlb);
	if (!n)
		return;
	/* the lines as the profile will have them: refused, none is written */
	if (asprintf(&text, "%s%s", so_far, lines) < 0)
		return;
	cfg = parse(text, err, sizeof(err));
	free(text);
	if (!cfg) {
		note(notes, "boot reservations: %s: hotmem refuses the profile with them (%.*s): "
			    "left out", err, (int)strcspn(lines, "\n"), lines);
		return;
	}
	free(cfg);
	fputs(lines, out);
	b->written = *image;
	if (brk)
		note(notes, "boot reservations: brk (%lluK) from dmesg's memblock=debug line "
			    "\"memblock_reserve: [...] setup_arch\" at the page after Kernel bss "
			    "(reserve_brk())", brk >> 10);
	if (*image)
		note(notes, "boot reservations: kernel_image%s%s from proc/iomem's Kernel lines and "
			    "dmesg; init and .smp_locks placed below bss (vmlinux.lds.S's order), their "
			    "sizes the log's", s.initrd.end ? ", initrd" : "",
		     s.swiotlb ? ", swiotlb" : "");
	else
		note(notes, "boot reservations: %s%s%s from dmesg alone", s.initrd.end ? "initrd" : "",
		     s.initrd.end && s.swiotlb ? ", " : "", s.swiotlb ? "swiotlb" : "");
}

/* @text with @extra, a profile, booted: NULL, said in @err, when refused; *@cfg to free after */
static struct hotmem *boot(const char *text, const char *extra, struct hotmem_config **cfg,
			   char *err, size_t errlen)
{
	struct hotmem *hm = NULL;
	char *full;

	*cfg = NULL;
	if (asprintf(&full, "%s%s", text, extra) < 0) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	*cfg = parse(full, err, errlen);
	free(full);
	if (*cfg && hotmem_create(*cfg, &hm, err, errlen))
		hm = NULL;
	return hm;
}

/*
 * @text with @extra booted: its "Memory:" line's reserved and its
 * MemTotal, in KiB; false, said in @err, when it does not boot
 */
static bool trial(const char *text, const char *extra, unsigned long *reserved_k,
		  unsigned long *memtotal_k, char *err, size_t errlen)
{
	struct hotmem_config *cfg;
	struct hm_meminfo mi;
	struct hotmem *hm;
	char *log;

	*reserved_k = 0;
	hm = boot(text, extra, &cfg, err, errlen);
	if (!hm) {
		free(cfg);
		return false;
	}
	hotmem_meminfo(hm, &mi);
	*memtotal_k = mi.totalram_pages * (PAGE_4K / 1024);
	log = malloc(128 * 1024);
	if (log) {
		hotmem_dmesg(hm, log, 128 * 1024);
		for (const char *l = log; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
			const char *m = strstr(l, "Memory: ");
			const char *nl = strchr(l, '\n');
			unsigned long k;

			if (!m || (nl && m > nl))
				continue;
			m = strstr(m, "bss, ");
			if (m && (!nl || m < nl) && sscanf(m, "bss, %luK reserved", &k) == 1) {
				*reserved_k = k;
				break;
			}
		}
		free(log);
	}
	hotmem_destroy(hm);
	free(cfg);
	return true;
}

bool fs_boot_vm(const char *text, struct fs_vm *vm, char *err, size_t errlen)
{
	struct hotmem_config *cfg;
	struct hm_node_info ni;
	struct hotmem *hm = boot(text, "", &cfg, err, errlen);

	if (!hm) {
		free(cfg);
		return false;
	}
	memset(vm, 0, sizeof(*vm));
	for (int nid = 0; nid < HM_MAX_NUMNODES; nid++)
		if (!hotmem_node_info(hm, nid, &ni)) {
			vm->pool_node[nid] = ni.hugepages_total;
			vm->pool += ni.hugepages_total;
		}
	vm->overcommit = hotmem_hugetlb_overcommit(hm);
	vm->hvo = hotmem_hugetlb_optimize_vmemmap(hm);
	vm->min_free_kbytes = hotmem_min_free_kbytes(hm);
	vm->wsf = hotmem_watermark_scale_factor(hm);
	vm->wbf = hotmem_watermark_boost_factor(hm);
	vm->pphf = hotmem_percpu_pagelist_high_fraction(hm);
	hotmem_lowmem_reserve_ratio(hm, vm->ratio);
	vm->user_reserve_kbytes = hotmem_user_reserve_kbytes(hm);
	vm->admin_reserve_kbytes = hotmem_admin_reserve_kbytes(hm);
	hotmem_destroy(hm);
	free(cfg);
	return true;
}

/*
 * The dump's figure against a boot of @text with realmode (with, then
 * without): the rest is boot_reserved.  The reserved total of the
 * "Memory:" line where the dump has it -- at boot, before the initrd and
 * initmem are given back, what boot_reserved is defined by --, else
 * MemTotal, which the trial's MemTotal exceeds by as much.
 */
void fs_boot_calibrate(const struct fs_boot *b, const char *text, FILE *out, FILE *notes)
{
	static const char *const extra[] = { "realmode = yes\n", "" };
	/* a boot without kernel_image prints no "Memory:" line: MemTotal then */
	bool by_line = b->memory_line && b->written;
	unsigned long res, total, want;
	char err[512];

	if ((!b->image && !b->unplaced) || (!by_line && !b->memtotal))
		return;
	want = by_line ? b->reserved_k : b->memtotal_k;
	for (size_t i = 0; i < 2; i++) {
		long long more;

		if (!trial(text, extra[i], &res, &total, err, sizeof(err))) {
			note(notes, "boot reservations: the profile does not boot to calibrate "
				    "boot_reserved (%s): realmode and boot_reserved left out", err);
			return;
		}
		if (by_line && !res) {
			note(notes, "boot reservations: the profile's boot printed no \"Memory:\" "
				    "line: realmode and boot_reserved left out");
			return;
		}
		more = by_line ? (long long)want - (long long)res : (long long)total - (long long)want;
		if (more < 0)
			continue;
		fputs(extra[i], out);
		if (more)
			fprintf(out, "boot_reserved = %lldK\n", more);
		note(notes, "boot reservations: realmode and boot_reserved are in no line: "
			    "boot_reserved = %lldK is what the dump's %s (%luK) leaves over%s", more,
		     by_line ? "\"Memory:\" line's reserved" : "MemTotal", want,
		     i ? "; realmode no: the first MiB reserved would be more than that" :
			 ", realmode yes (x86 6.12's reserve_real_mode())");
		if (b->unplaced)
			note(notes, "boot reservations: boot_reserved holds the kernel image, which "
				    "the dump does not place (root's /proc/iomem does)");
		return;
	}
	note(notes, "boot reservations: the dump's %s (%luK) is %s than the profile's reservations "
		    "give: realmode and boot_reserved left out", by_line ? "reserved" : "MemTotal",
	     want, by_line ? "less" : "more");
}

bool fs_srat_hotplug(const char *dir, unsigned long long *start, unsigned long long *end)
{
	char line[1024];
	bool any = false;
	FILE *fp = open_in(dir, "dmesg");

	if (!fp)
		return false;
	while (fgets(line, sizeof(line), fp)) {
		unsigned long long a, e;
		unsigned int node, pxm;
		int at = 0;

		if (sscanf(message(line), "ACPI: SRAT: Node %u PXM %u [mem %llx-%llx] hotplug%n", &node,
			   &pxm, &a, &e, &at) != 4 || !at || e < a)
			continue;
		if (!any || a < *start)
			*start = a;
		if (!any || e + 1 > *end)
			*end = e + 1;
		any = true;
	}
	fclose(fp);
	return any;
}

int fs_bios_e820(const char *dir, struct fs_e820_line *t, int max)
{
	char line[1024];
	FILE *fp = open_in(dir, "dmesg");
	int n = 0;

	if (!fp)
		return 0;
	while (n < max && fgets(line, sizeof(line), fp)) {
		struct fs_e820_line *e = &t[n];
		unsigned long long last;
		int at = 0;

		if (sscanf(message(line), "BIOS-e820: [mem %llx-%llx] %n", &e->start, &last, &at) != 2 ||
		    !at || last < e->start || last == ~0ULL) {
			/* the table is printed in one run: a second boot's lines are not this one's */
			if (n)
				break;
			continue;
		}
		snprintf(e->word, sizeof(e->word), "%.*s", (int)strcspn(message(line) + at, "\r\n"),
			 message(line) + at);
		e->end = last + 1;
		n++;
	}
	fclose(fp);
	return n;
}
