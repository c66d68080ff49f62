// SPDX-License-Identifier: MIT
/*
 * hotmemd: which blocks are boot memory, and the state_dir/boot-blocks file.
 *
 * boot_blocks = LIST names them; boot_blocks = auto takes the blocks online
 * when hotmemd first ran since boot, less those it can tell were hot-added
 * (hot_added()), and remembers them, with the zone offsets anchored then
 * (blocks.c), in state_dir/boot-blocks.  A dry run reads that file but
 * never creates it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <syslog.h>

#include "hotmemd.h"

/* id in a sysfs list like "0-23,32-199" (boot_blocks, node/possible) */
bool hmd_in_list(const char *s, unsigned long id)
{
	unsigned long a, b;
	char *end;

	while (*s) {
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (id >= a && id <= b)
			return true;
		if (*end != ',')
			break;
		s = end + 1;
	}
	return false;
}

/*
 * The blocks @in() takes as hmd_in_list() reads them, "0-23,32-199", and a
 * newline: boot-blocks' list, state_dir/offlined's (one writer for both,
 * beside their reader)
 */
void hmd_format_list(const struct hmd *d, FILE *f, bool (*in)(const struct hmd_block *b))
{
	unsigned long i, start = 0;
	bool run = false, first = true;

	for (i = 0; i <= d->nblk; i++) {
		bool m = i < d->nblk && in(&d->blk[i]);

		if (m && !run) {
			start = i;
			run = true;
		} else if (!m && run) {
			fprintf(f, "%s%lu", first ? "" : ",", start);
			if (i - 1 > start)
				fprintf(f, "-%lu", i - 1);
			first = false;
			run = false;
		}
	}
	fputc('\n', f);
}

/* a block boot-blocks lists: present boot memory */
static bool boot_block(const struct hmd_block *b)
{
	return b->present && b->boot;
}

/*
 * The machine a record describes, its "machine ..." line: the block size,
 * the sysroot's boot_id where it has one (a real kernel's: the same for
 * every hotmemd start of one boot, so hotmemd.service keeps its record
 * across restarts; hotmemfs's is its state file's, kept across its
 * restarts, new at --fresh, where its mount's st_dev is new at every
 * start), else the memory directory's device and inode (a plain-file
 * sysroot made anew has a new inode), and the sysroot
 * path, last as it may hold spaces.  A record of another machine gave
 * its boot memory to this one (usereye8 #4).
 */
static void machine_key(struct hmd *d, char *key, size_t len)
{
	char path[HMD_PATH_MAX + 40], id[64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/proc/sys/kernel/random/boot_id", d->cfg.sysroot);
	if (hmd_read_attr(AT_FDCWD, path, id, sizeof(id)) > 0 && !strchr(id, ' '))
		snprintf(key, len, "machine block_size %lu boot_id %s sysroot %s", d->block_size, id,
			 d->cfg.sysroot);
	else if (!fstat(d->memdir_fd, &st))
		snprintf(key, len, "machine block_size %lu memory_dir %u:%u:%llu sysroot %s",
			 d->block_size, major(st.st_dev), minor(st.st_dev), (unsigned long long)st.st_ino,
			 d->cfg.sysroot);
	else
		snprintf(key, len, "machine block_size %lu sysroot %s", d->block_size,
			 d->cfg.sysroot);
}

/* what save_state() writes: the list (NULL: the blocks marked boot) and the key */
struct boot_save {
	const char *list, *key;
};

static void fill_state(struct hmd *d, FILE *f, const void *arg)
{
	const struct boot_save *s = arg;
	int n;

	if (s->list)
		fprintf(f, "%s\n", s->list);
	else
		hmd_format_list(d, f, boot_block);
	for (n = 0; n < d->nr_nodes && n < HMD_MAX_NODES; n++)
		fprintf(f, "node %d kernel_offset %ld movable_offset %ld\n", n, d->kernel_offset[n],
			d->movable_offset[n]);
	fprintf(f, "%s\n", s->key);
}

/*
 * state_dir/boot-blocks: line 1 the boot block list, then one line per node
 * "node N kernel_offset K movable_offset M", then the machine's key
 * (machine_key()).  Both describe boot memory, so they hold until reboot
 * (/run is then empty); restarts and rescans reuse them instead of
 * re-reading zoneinfo, which on a plain-file sysroot never changes.
 * @list: the boot block list to write, NULL: the blocks marked boot.
 * Written as state_dir/offlined is (statefile.c).
 */
static void save_state(struct hmd *d, const char *path, const char *list, const char *key)
{
	const struct boot_save s = { list, key };

	if (hmd_state_write(d, path, fill_state, &s))
		hmd_log(d, LOG_WARNING, "cannot remember boot memory in %s: %m", path);
}

/*
 * state_dir/boot-blocks as read (load_state()): each line taken at its one
 * read.  @list is its own (malloc()ed, any length: boot_record_clear());
 * the kept anchor's (hmd->boot_kept) is copied, never shared.
 */
struct hmd_boot_record {
	char *list;
	/* its "machine ..." line, "" in a record written before it had one */
	char key[HMD_PATH_MAX + 128];
	long kernel_offset[HMD_MAX_NODES], movable_offset[HMD_MAX_NODES];
	int nr_nodes;
};

static void boot_record_clear(struct hmd_boot_record *rec)
{
	free(rec->list);
	rec->list = NULL;
}

/*
 * "node N kernel_offset K movable_offset M", exactly as save_state() writes
 * it: N a node hotmemd models, K and M within long
 */
static bool parse_node_line(const char *line, int *n, long *k, long *m)
{
	long v[3];
	int i, used = 0;
	char *end;
	static const char *const words[3] = { "node ", " kernel_offset ", " movable_offset " };

	for (i = 0; i < 3; i++) {
		if (strncmp(line + used, words[i], strlen(words[i])))
			return false;
		used += strlen(words[i]);
		if (line[used] != '-' && (line[used] < '0' || line[used] > '9'))
			return false;
		errno = 0;
		v[i] = strtol(line + used, &end, 10);
		if (errno)
			return false;
		used = end - line;
	}
	if (line[used] || v[0] < 0 || v[0] >= HMD_MAX_NODES)
		return false;
	*n = v[0];
	*k = v[1];
	*m = v[2];
	return true;
}

/*
 * A record not as save_state() writes it: an edit, a disk error, another
 * tool (the file is written by rename after fsync(), statefile.c: not a
 * crash).  Taken as it was, "O-15" read as block 0: boot memory of one
 * block, and auto-movable put DIMMs in Normal (abuse25a B5).  Said at
 * warning, the line's start only (HMD_QUOTE: a whole long line cut the
 * message before "re-anchoring", reread39); not used.
 */
static bool damaged(struct hmd *d, const char *path, int lineno, const char *line, const char *what)
{
	hmd_log(d, LOG_WARNING,
		"%s: line %d '" HMD_QUOTE_FMT
		"' is not %s: re-anchoring boot memory from what this machine shows now",
		path, lineno, HMD_QUOTE(line), what);
	return false;
}

/*
 * The lines after the list: the nodes' offsets and the key, into @rec;
 * false at the first line that is neither (said, @lineno its number)
 */
static bool load_rest(struct hmd *d, const char *path, FILE *f, struct hmd_boot_record *rec)
{
	char *line = NULL;
	size_t cap = 0;
	int lineno = 1, n;
	bool cut, ok = true;
	long k, m;

	while (ok && (lineno++, hmd_state_line(f, &line, &cap, &cut))) {
		if (!cut && !strncmp(line, "machine ", 8) && !rec->key[0] &&
		    strlen(line) < sizeof(rec->key)) {
			snprintf(rec->key, sizeof(rec->key), "%s", line);
			continue;
		}
		if (cut || !parse_node_line(line, &n, &k, &m)) {
			ok = damaged(d, path, lineno, line,
				     "'node N kernel_offset K movable_offset M' or the machine line");
			continue;
		}
		rec->kernel_offset[n] = k;
		rec->movable_offset[n] = m;
		if (n + 1 > rec->nr_nodes)
			rec->nr_nodes = n + 1;
	}
	free(line);
	return ok;
}

/*
 * The record at @path into @rec, opened and parsed once: the list (of any
 * length: a fixed 4096 bytes judged some 680 scattered runs damaged and
 * re-anchored boot memory, D1), the offsets and the key.  The offsets
 * are only used when the caller keeps the record (apply_state()), a
 * record of another machine's being read all the same.  False for none,
 * or a damaged one (said); @rec is cleared either way
 * (boot_record_clear()).
 */
static bool load_state(struct hmd *d, const char *path, struct hmd_boot_record *rec)
{
	size_t cap = 0;
	bool cut, ok;
	FILE *f;

	memset(rec, 0, sizeof(*rec));
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!hmd_state_line(f, &rec->list, &cap, &cut))
		ok = damaged(d, path, 1, "", "a block list (the file is empty)");
	else if (cut || hmd_check_block_list(rec->list))
		ok = damaged(d, path, 1, rec->list, "a block list like 0-23,32-199");
	else
		ok = load_rest(d, path, f, rec);
	fclose(f);
	if (!ok)
		boot_record_clear(rec);
	return ok;
}

/* the kept record's zone offsets: the anchor of its first start */
static void apply_state(struct hmd *d, const struct hmd_boot_record *rec)
{
	memcpy(d->kernel_offset, rec->kernel_offset, sizeof(d->kernel_offset));
	memcpy(d->movable_offset, rec->movable_offset, sizeof(d->movable_offset));
	if (rec->nr_nodes > d->nr_nodes)
		d->nr_nodes = rec->nr_nodes;
}

/* what hmd_mark_boot_blocks() took at a first start, for its log line */
struct boot_count {
	unsigned long boot, acpi, vmem;
	/*
	 * the lowest block, boot RAM, is linked: links say nothing (acpi
	 * counts the boot blocks linked then); its id
	 */
	bool acpi_boot;
	unsigned long lowest;
};

/*
 * Online block @id at the first start: hot-added, so not boot memory?
 * The kernel's KERNEL_EARLY is zone->present_early_pages, which counts
 * early sections only (6.12 adjust_present_page_count(): early_section(),
 * the sections sparse_init() made from the boot memory map).  A block
 * linked to an ACPI memory device (memoryN/firmware_node -> PNP0C80) was
 * added by acpi_memory_device_add() -> __add_memory(), at boot too for a
 * cold-plugged QEMU DIMM, never early -- unless the firmware lists boot
 * RAM as PNP0C80 too (__add_memory() -EEXIST, bound all the same,
 * acpi_memory_enable_device()): then the links tell nothing (@c->acpi_boot,
 * boot_ram_linked()).  A block inside a virtio-mem device's region in
 * /proc/iomem was added by add_memory_driver_managed().
 */
static bool hot_added(struct hmd *d, unsigned long id, struct boot_count *c)
{
	if (hmd_block_fwnode(d, id)) {
		c->acpi++;
		return !c->acpi_boot;
	}
	if (hmd_dyn_block(d, id)) {
		c->vmem++;
		return true;
	}
	return false;
}

/*
 * Does the firmware list boot RAM as ACPI memory devices?  The lowest
 * block is boot RAM (the memory the kernel booted in; QEMU and hotplug
 * ranges put hot-pluggable memory above it, pc-dimm in the device memory
 * region): linked, the links mark boot RAM too.  Taking every linked block
 * as hot-added there left no boot memory at all (finalG 6): KERNEL_EARLY
 * near 0, and auto-movable put every hot-added block in a kernel zone.
 */
static bool boot_ram_linked(struct hmd *d, struct boot_count *c)
{
	unsigned long i;

	for (i = 0; i < d->nblk && !d->blk[i].present; i++)
		;
	c->lowest = i;
	return i < d->nblk && hmd_block_fwnode(d, i);
}

static void say_boot_count(struct hmd *d, const struct boot_count *c)
{
	if (c->acpi_boot) {
		hmd_log(d, LOG_WARNING,
			"boot memory: memory%lu, the lowest block, is linked to an ACPI memory device: this firmware describes boot RAM as PNP0C80 devices too, so a link does not tell hot-added memory; %lu online blocks taken as boot memory (%lu of them linked), %lu of virtio-mem devices left out; memory hot-added and onlined before hotmemd first ran counts as boot memory too: set boot_blocks = LIST to the blocks present at boot if there was such",
			c->lowest, c->boot, c->acpi, c->vmem);
		return;
	}
	/* a machine with nothing hot-added: no stack of zeros (docs43 F9) */
	if (!c->acpi && !c->vmem) {
		hmd_log(d, LOG_NOTICE,
			"boot memory: %lu online blocks taken as boot memory, none hot-added; to name them yourself: boot_blocks = LIST in hotmemd.conf",
			c->boot);
		return;
	}
	hmd_log(d, LOG_NOTICE,
		"boot memory: %lu online blocks taken as boot memory, %lu left out as hot-added (%lu of ACPI memory devices, %lu of virtio-mem devices: never early memory); to name them yourself: boot_blocks = LIST in hotmemd.conf",
		c->boot, c->acpi + c->vmem, c->acpi, c->vmem);
}

/*
 * Is the record at @path (read into @list) this machine's?  One of another
 * (@key differs) is said at warning and not used: hotmemd re-anchors from
 * what this machine shows now, as at a first start.  One written before
 * records had a key is taken as this machine's once (as before) and
 * rewritten with @key (@rekey).
 */
static bool record_fits(struct hmd *d, const char *path, const char *old, const char *key,
			bool *rekey)
{
	*rekey = !old[0];
	if (!old[0] || !strcmp(old, key))
		return true;
	hmd_log(d, LOG_WARNING,
		"%s describes another machine (\"%s\"; this one is \"%s\"): its boot memory is not this machine's, re-anchoring boot memory from what this machine shows now",
		path, old, key);
	return false;
}

/*
 * No record can keep the anchor (state_dir "", a dry run): the first one
 * is kept in memory, for the coldplugs after it -- a reload, the
 * sysroot's return -- to take as a record.  Each anchored anew, and
 * took the memory hot-added and onlined since start as boot memory
 * (reread36 R6).  Not kept if memory fails: each anchors anew, as before.
 */
static void keep_anchor(struct hmd *d, const char *key)
{
	struct hmd_boot_record *k;
	char *list = NULL;
	size_t len = 0;
	FILE *f;

	/* one of another machine (the sysroot came back as another) is replaced */
	if ((d->boot_kept && !strcmp(d->boot_kept->key, key)) ||
	    (d->cfg.state_dir[0] && !d->cfg.dry_run))
		return;
	f = open_memstream(&list, &len);
	if (!f)
		return;
	hmd_format_list(d, f, boot_block);
	if (fclose(f))
		goto err;
	k = calloc(1, sizeof(*k));
	if (!k)
		goto err;
	/* as load_state() reads it: the line without its newline, the buffer k's */
	list[len ? len - 1 : 0] = '\0';
	k->list = list;
	snprintf(k->key, sizeof(k->key), "%s", key);
	memcpy(k->kernel_offset, d->kernel_offset, sizeof(k->kernel_offset));
	memcpy(k->movable_offset, d->movable_offset, sizeof(k->movable_offset));
	k->nr_nodes = d->nr_nodes;
	hmd_boot_kept_free(d);
	d->boot_kept = k;
	return;
err:
	free(list);
}

/*
 * the kept anchor, if this machine's and no record is read instead: a
 * copy in @rec (its list its own, as a record read's)
 */
static bool kept_anchor(struct hmd *d, const char *key, struct hmd_boot_record *rec)
{
	if (!d->boot_kept || strcmp(d->boot_kept->key, key))
		return false;
	*rec = *d->boot_kept;
	rec->list = strdup(d->boot_kept->list);
	return rec->list != NULL; /* no memory: anchored anew, as with none kept */
}

void hmd_boot_kept_free(struct hmd *d)
{
	if (d->boot_kept)
		boot_record_clear(d->boot_kept);
	free(d->boot_kept);
	d->boot_kept = NULL;
}

/*
 * No record at @path at all (not a damaged one, which load_state() said
 * is re-anchored): the process's own anchor may stand in for it
 */
static bool record_absent(const char *path)
{
	struct stat st;

	return stat(path, &st) && errno == ENOENT;
}

void hmd_mark_boot_blocks(struct hmd *d)
{
	struct boot_count count = { 0 };
	struct hmd_boot_record rec = { 0 };
	char path[HMD_PATH_MAX + 32], key[HMD_PATH_MAX + 128];
	const char *spec = d->cfg.boot_blocks;
	bool auto_spec = !strcmp(spec, "auto");
	bool have = false, rekey = false, kept = false;
	unsigned long i;

	snprintf(path, sizeof(path), "%s/boot-blocks", d->cfg.state_dir);
	machine_key(d, key, sizeof(key));
	if (d->cfg.state_dir[0] && load_state(d, path, &rec))
		have = record_fits(d, path, rec.key, key, &rekey);
	/*
	 * no record: the anchor a dry run (or state_dir "") kept, also once
	 * a reload made it a writer -- it re-anchored there and recorded the
	 * memory onlined since start as boot memory, "0-31" where "0-15" was
	 * right (reread36 R6); then written as the record
	 */
	else if (!d->cfg.state_dir[0] || d->cfg.dry_run || record_absent(path))
		have = kept = kept_anchor(d, key, &rec);
	if (have)
		apply_state(d, &rec);
	if (auto_spec && !have)
		count.acpi_boot = boot_ram_linked(d, &count);
	for (i = 0; i < d->nblk; i++) {
		struct hmd_block *b = &d->blk[i];

		if (!b->present)
			continue;
		if (!auto_spec)
			b->boot = hmd_in_list(spec, i);
		else if (have)
			b->boot = hmd_in_list(rec.list, i);
		else /* first run since boot, or the record was another machine's */
			b->boot = b->online && !hot_added(d, i, &count);
		count.boot += b->boot;
	}
	hmd_blocks_recount(d);
	if (have) {
		if ((rekey || (kept && d->cfg.state_dir[0])) && !d->cfg.dry_run)
			save_state(d, path, rec.list, key);
		boot_record_clear(&rec);
		return;
	}
	boot_record_clear(&rec); /* another machine's, read all the same */
	if (auto_spec)
		say_boot_count(d, &count);
	hmd_anchor_zoneinfo(d);
	keep_anchor(d, key);
	if (!d->cfg.state_dir[0])
		return;
	/*
	 * A dry run reads an anchor but never makes one: the next real start
	 * trusts this file as boot memory, and a dry run made after memory
	 * was hot-added and onlined would record that memory as boot memory.
	 */
	if (d->cfg.dry_run) {
		hmd_log(d, LOG_INFO, "dry run: boot memory not recorded in %s", path);
		return;
	}
	save_state(d, path, NULL, key);
}
