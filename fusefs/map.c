// SPDX-License-Identifier: GPL-2.0
/*
 * hotmemctl map: the physical address space, one cell per memory block.
 * Blocks come from `status` (runs of blocks with state, zone and node),
 * devices from its device list; everything else is a hole.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ctlargs.h"
#include "map.h"
#include "sysfs_parse.h"
#include "uapi/svg.h"

/* the most blocks a map takes (64 TiB of 4 MiB blocks): a bad reply is refused */
#define MAX_BLOCKS (1ULL << 24)

/* the SVG pattern that fills holes (svg_defs()) */
#define HOLE_PATTERN "hole"
#define HOLE_STROKE "#8c8c8c"

static const struct {
	char glyph;
	const char *name;
	int ansi_bg; /* 256-colour background, -1: none */
	const char *fill; /* SVG; the zones' are svg.c's, shared with hotmem-trace */
} classes[HMFS_MAP_NR_CLASS] = {
	/* hatched grey with a border: a white or pale cell vanishes on the page */
	[HMFS_MAP_HOLE] = { '.', "hole (no memory)", -1, "url(#" HOLE_PATTERN ")" },
	[HMFS_MAP_UNPLUGGED] = { '-', "device range, not plugged", -1, "#ffffff" },
	[HMFS_MAP_OFFLINE] = { 'o', "offline", 250, HMU_SVG_OFFLINE_FILL },
	/*
	 * magenta: not a zone's, not the timeline's red "failed" -- the block
	 * did nothing wrong, its memory did; online refused with EHWPOISON
	 */
	[HMFS_MAP_HWPOISON] = { 'x', "offline, hwpoisoned pages", 163, "#c51b8a" },
	[HMFS_MAP_DMA] = { 'D', "online DMA", 33, NULL },
	[HMFS_MAP_DMA32] = { 'd', "online DMA32", 75, NULL },
	[HMFS_MAP_NORMAL] = { 'N', "online Normal", 70, NULL },
	[HMFS_MAP_MOVABLE] = { 'M', "online Movable", 214, NULL },
	[HMFS_MAP_DEVICE] = { 'V', "online Device", 135, NULL },
	[HMFS_MAP_MIXED] = { '*', "online, several zones", 44, HMU_SVG_MIXED_FILL },
};

static const char *class_fill(enum hmfs_map_class c)
{
	return classes[c].fill ? classes[c].fill : hmu_svg_zone_fill(c - HMFS_MAP_DMA);
}

/*
 * devices by index: the colour of the bar under their cells; none of the
 * zones' (svg.c) and no red, which is hotmem-trace timeline's "failed"
 */
static const char *const dev_fill[] = { "#3949ab", "#00897b", "#8c564b", "#827717",
					"#e377c2", "#546e7a" };
#define NR_DEV_FILL (sizeof(dev_fill) / sizeof(dev_fill[0]))

/* a block kind's letter (the hwpoison row's 'x' is one): never a device's */
static bool class_glyph(char ch)
{
	for (int c = 0; c < HMFS_MAP_NR_CLASS; c++)
		if (classes[c].glyph == ch)
			return true;
	return false;
}

/*
 * a-z, A-Z without the block kinds' letters (d D M N o V x), then round
 * again: one legend never has one letter for a block kind and a device
 * (the 4th device was 'd', DMA32's; abuse24 A7), neighbours always differ
 * (past 52 devices all were '#'; usereye4 #30), the legend's line gives
 * each run's letters
 */
static char dev_letter(size_t i)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t n = 0;
	const char *p;

	for (p = letters; *p; p++)
		n += !class_glyph(*p);
	i %= n;
	for (p = letters;; p++)
		if (!class_glyph(*p) && !i--)
			return *p;
}

/*
 * The devices [i, end) one legend line names: three or more of one
 * driver, size and node, wholly plugged, each where the last one ends
 * (64 DIMMs of 128M are one line, not 64); else i alone.
 */
static size_t dev_run_end(const struct hmfs_map *m, size_t i)
{
	const struct hmfs_map_dev *a = &m->devs[i];
	size_t j = i + 1;

	while (j < m->nr_devs && a->plugged == a->size) {
		const struct hmfs_map_dev *b = &m->devs[j], *prev = &m->devs[j - 1];

		if (strcmp(b->driver, a->driver) || b->size != a->size || b->node != a->node ||
		    b->plugged != b->size || b->addr != prev->addr + prev->size)
			break;
		j++;
	}
	return j - i >= 3 ? j : i + 1;
}

/*
 * A device's node as the legend says it: status gives QEMU's node (the
 * PXM a device_add's node= names), the rows the guest's (x86 6.12 numbers
 * nodes in SRAT order, CPUs' nodes first: engine/srat.c), so where the
 * device's blocks sit on another guest node both are said: "node 1 (QEMU
 * node 2)".  A device without blocks yet has only QEMU's.
 */
static void dev_node_str(const struct hmfs_map *m, const struct hmfs_map_dev *d, char *buf,
			 size_t len)
{
	uint64_t first = d->addr / m->block_size;
	uint64_t end = (d->addr + d->size + m->block_size - 1) / m->block_size;
	int guest = -1;

	for (uint64_t b = first; b < end && b < m->nr_blocks && guest < 0; b++)
		guest = m->node[b];
	if (guest < 0 || guest == d->node)
		snprintf(buf, len, "node %d", d->node);
	else
		snprintf(buf, len, "node %d (QEMU node %d)", guest, d->node);
}

/* a legend line's text for devices [i, end): "device d1: pc-dimm, 128M at 0x...", or a run's */
static void dev_legend(const struct hmfs_map *m, size_t i, size_t end, char *buf, size_t len)
{
	const struct hmfs_map_dev *d = &m->devs[i], *last = &m->devs[end - 1];
	char sz[32], pl[32], node[48];
	int n;

	hmfs_size_str(d->size, sz, sizeof(sz));
	dev_node_str(m, d, node, sizeof(node));
	if (end - i > 1) {
		snprintf(buf, len,
			 "%zu devices %s ... %s: %s, %s each, 0x%" PRIx64 "-0x%" PRIx64 ", %s",
			 end - i, d->id, last->id, d->driver, sz, d->addr,
			 last->addr + last->size - 1, node);
		return;
	}
	n = snprintf(buf, len, "device %s: %s, %s at 0x%" PRIx64 ", %s", d->id, d->driver,
		     sz, d->addr, node);
	hmfs_size_str(d->plugged, pl, sizeof(pl));
	if (d->refused[0] && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", refused by the guest (%s): no memory of it",
			 d->refused);
	else if (d->plugged != d->size && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", %s plugged", pl);
}

/* the letters of devices [i, end): "a", "a-z A-Z a-h" */
static void dev_letters(size_t i, size_t end, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t k = i; k < end && off + 5 < len;) {
		size_t s = k;

		while (k + 1 < end && dev_letter(k + 1) == dev_letter(k) + 1)
			k++;
		off += (size_t)snprintf(buf + off, len - off, s == k ? "%s%c" : "%s%c-%c",
					off ? " " : "", dev_letter(s), dev_letter(k));
		k++;
	}
}

const char *hmfs_map_class_name(enum hmfs_map_class c)
{
	return c < HMFS_MAP_NR_CLASS ? classes[c].name : "?";
}


static uint64_t ju(json_object *o, const char *k)
{
	json_object *v = hmfs_json_member(o, k);

	return v ? (uint64_t)json_object_get_int64(v) : 0;
}

static const char *js(json_object *o, const char *k)
{
	json_object *v = hmfs_json_member(o, k);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static enum hmfs_map_class block_class(const char *state, const char *zone, uint64_t hwpoison)
{
	int zid;

	if (strcmp(state, "online"))
		return hwpoison ? HMFS_MAP_HWPOISON : HMFS_MAP_OFFLINE;
	zid = hmu_zone_from_name(zone, strlen(zone));
	return zid < 0 ? HMFS_MAP_MIXED : (enum hmfs_map_class)(HMFS_MAP_DMA + zid);
}

/* blocks drawn: up to the last block or device end */
static uint64_t space_end(json_object *blocks, json_object *devs, uint64_t bs)
{
	uint64_t end = 0;

	for (size_t i = 0; i < json_object_array_length(blocks); i++) {
		json_object *b = json_object_array_get_idx(blocks, i);
		uint64_t e = ju(b, "first") + ju(b, "count");

		end = e > end ? e : end;
	}
	for (size_t i = 0; devs && i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);
		uint64_t e = (ju(d, "addr") + ju(d, "size") + bs - 1) / bs;

		end = e > end ? e : end;
	}
	return end;
}

static int alloc_map(struct hmfs_map *m, size_t nr_devs)
{
	m->cls = calloc(m->nr_blocks, sizeof(*m->cls));
	m->dev = malloc(m->nr_blocks * sizeof(*m->dev));
	m->node = malloc(m->nr_blocks * sizeof(*m->node));
	m->hwpoison = calloc(m->nr_blocks, sizeof(*m->hwpoison));
	m->devs = calloc(nr_devs ? nr_devs : 1, sizeof(*m->devs));
	if (!m->cls || !m->dev || !m->node || !m->hwpoison || !m->devs)
		return -ENOMEM;
	for (uint64_t i = 0; i < m->nr_blocks; i++) {
		m->dev[i] = -1;
		m->node[i] = -1;
	}
	return 0;
}

static void add_devices(struct hmfs_map *m, json_object *devs)
{
	for (size_t i = 0; devs && i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);
		struct hmfs_map_dev *md = &m->devs[m->nr_devs++];
		uint64_t first, end;

		snprintf(md->id, sizeof(md->id), "%s", js(d, "id"));
		snprintf(md->driver, sizeof(md->driver), "%s", js(d, "driver"));
		md->addr = ju(d, "addr");
		md->size = ju(d, "size");
		md->plugged = hmfs_json_member(d, "plugged-size") ? ju(d, "plugged-size") : md->size;
		md->node = (int)ju(d, "node");
		snprintf(md->refused, sizeof(md->refused), "%s", js(d, "guest-refused"));
		first = md->addr / m->block_size;
		end = (md->addr + md->size + m->block_size - 1) / m->block_size;
		for (uint64_t b = first; b < end && b < m->nr_blocks; b++) {
			m->dev[b] = (short)(m->nr_devs - 1);
			m->cls[b] = HMFS_MAP_UNPLUGGED; /* until a block says more */
		}
	}
}

static void add_blocks(struct hmfs_map *m, json_object *blocks)
{
	for (size_t i = 0; i < json_object_array_length(blocks); i++) {
		json_object *b = json_object_array_get_idx(blocks, i);
		/* a block holding hwpoisoned pages is a run of its own (json.c) */
		uint64_t first = ju(b, "first"), n = ju(b, "count"), hwpoison = ju(b, "hwpoison");
		enum hmfs_map_class c = block_class(js(b, "state"), js(b, "zone"), hwpoison);

		for (uint64_t k = first; k < first + n && k < m->nr_blocks; k++) {
			m->cls[k] = c;
			m->node[k] = (short)ju(b, "node");
			m->hwpoison[k] = hwpoison;
		}
	}
}

/* cells of one block each, unless that makes more than HMFS_MAP_MAX_CELLS */
static void layout(struct hmfs_map *m)
{
	m->group = 1;
	while ((m->nr_blocks + m->group - 1) / m->group > HMFS_MAP_MAX_CELLS)
		m->group *= 2;
	m->nr_cells = (m->nr_blocks + m->group - 1) / m->group;
	m->cols = HMFS_MAP_COLS;
	for (uint64_t i = 0; i < m->nr_blocks; i++) {
		m->count[m->cls[i]]++;
		m->nr_hwpoison_blocks += m->hwpoison[i] != 0;
		if (m->node[i] >= 0 && m->node[i] + 1 > m->nr_nodes)
			m->nr_nodes = m->node[i] + 1;
	}
}

int hmfs_map_from_status(json_object *status, struct hmfs_map *m, char *err, size_t len)
{
	json_object *mach = hmfs_json_member(status, "machine"), *blocks = hmfs_json_member(status, "blocks");
	json_object *devs = hmfs_json_member(status, "devices");

	memset(m, 0, sizeof(*m));
	m->block_size = ju(mach, "block-size");
	if (!m->block_size || !json_object_is_type(blocks, json_type_array) ||
	    (devs && !json_object_is_type(devs, json_type_array))) {
		snprintf(err, len, "not a status reply (no block-size, blocks or devices)");
		return -EINVAL;
	}
	m->nr_blocks = space_end(blocks, devs, m->block_size);
	if (!m->nr_blocks || m->nr_blocks > MAX_BLOCKS) {
		snprintf(err, len, "%" PRIu64 " blocks: nothing to draw, or too many", m->nr_blocks);
		return -EINVAL;
	}
	/* no "devices" (allowed above): json-c asserts on a NULL array's length */
	if (alloc_map(m, devs ? json_object_array_length(devs) : 0)) {
		hmfs_map_free(m);
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	add_devices(m, devs);
	add_blocks(m, blocks);
	layout(m);
	return 0;
}

void hmfs_map_free(struct hmfs_map *m)
{
	free(m->cls);
	free(m->dev);
	free(m->node);
	free(m->hwpoison);
	free(m->devs);
	memset(m, 0, sizeof(*m));
}

static void cell_range(const struct hmfs_map *m, uint64_t cell, uint64_t *first, uint64_t *end)
{
	*first = cell * m->group;
	*end = *first + m->group < m->nr_blocks ? *first + m->group : m->nr_blocks;
}

enum hmfs_map_class hmfs_map_cell(const struct hmfs_map *m, uint64_t cell)
{
	uint64_t n[HMFS_MAP_NR_CLASS] = { 0 }, first, end;
	int best = HMFS_MAP_HOLE;

	cell_range(m, cell, &first, &end);
	for (uint64_t b = first; b < end; b++)
		n[m->cls[b]]++;
	/*
	 * Online memory is what a reader looks for: a cell with any online
	 * block shows the most common online zone; else offline with
	 * hwpoison (what will not come online), offline, a device's
	 * unplugged range, else a hole.
	 */
	for (int c = HMFS_MAP_DMA; c < HMFS_MAP_NR_CLASS; c++)
		if (n[c] && (best < HMFS_MAP_DMA || n[c] > n[best]))
			best = c;
	for (int c = HMFS_MAP_DMA - 1; best == HMFS_MAP_HOLE && c > HMFS_MAP_HOLE; c--)
		if (n[c])
			best = c;
	return best;
}

int hmfs_map_cell_node(const struct hmfs_map *m, uint64_t cell)
{
	uint64_t first, end;

	cell_range(m, cell, &first, &end);
	for (uint64_t b = first; b < end; b++)
		if (m->node[b] >= 0)
			return m->node[b];
	return -1;
}

int hmfs_map_cell_dev(const struct hmfs_map *m, uint64_t cell)
{
	uint64_t first, end;

	cell_range(m, cell, &first, &end);
	for (uint64_t b = first; b < end; b++)
		if (m->dev[b] >= 0)
			return m->dev[b];
	return -1;
}

uint64_t hmfs_map_cell_hwpoison(const struct hmfs_map *m, uint64_t cell)
{
	uint64_t first, end, pages = 0;

	cell_range(m, cell, &first, &end);
	for (uint64_t b = first; b < end; b++)
		pages += m->hwpoison[b];
	return pages;
}

/*
 * The blocks holding hwpoisoned pages, "memory34 (1 page), memory40 (2
 * pages)", the first few: what `hotmemctl explain N` details
 */
static void hwpoison_blocks(const struct hmfs_map *m, char *buf, size_t len)
{
	size_t off = 0;
	int shown = 0;

	buf[0] = '\0';
	for (uint64_t b = 0; b < m->nr_blocks && off < len; b++) {
		if (!m->hwpoison[b])
			continue;
		if (shown++ == 4) {
			snprintf(buf + off, len - off, ", ...");
			break;
		}
		off += (size_t)snprintf(buf + off, len - off, "%smemory%" PRIu64 " (%" PRIu64 " page%s)",
					shown > 1 ? ", " : "", b, m->hwpoison[b],
					m->hwpoison[b] == 1 ? "" : "s");
	}
}

/* ---- the terminal ------------------------------------------------------- */

static void put_cell(FILE *f, enum hmfs_map_class c, bool color)
{
	if (color && classes[c].ansi_bg >= 0)
		fprintf(f, "\033[30;48;5;%dm%c\033[0m", classes[c].ansi_bg, classes[c].glyph);
	else if (color)
		fprintf(f, "\033[90m%c\033[0m", classes[c].glyph);
	else
		fputc(classes[c].glyph, f);
}

static void print_header(const struct hmfs_map *m, FILE *f)
{
	char bs[32], all[32], cell[32];

	hmfs_size_str(m->block_size, bs, sizeof(bs));
	hmfs_size_str(m->block_size * m->nr_blocks, all, sizeof(all));
	hmfs_size_str(m->block_size * m->group, cell, sizeof(cell));
	fprintf(f, "Physical memory 0x0-0x%" PRIx64 " (%s): %" PRIu64 " block%s of %s, ",
		m->block_size * m->nr_blocks - 1, all, m->nr_blocks, m->nr_blocks == 1 ? "" : "s",
		bs);
	if (m->group == 1)
		fprintf(f, "one cell a block\n\n");
	else
		fprintf(f, "one cell %" PRIu64 " blocks (%s)\n\n", m->group, cell);
}

static void print_legend(const struct hmfs_map *m, FILE *f, bool color)
{
	char line[320], letters[64], blocks[192];

	fprintf(f, "\n");
	for (int c = HMFS_MAP_NR_CLASS - 1; c >= 0; c--) {
		if (!m->count[c])
			continue;
		fprintf(f, "  ");
		put_cell(f, c, color);
		fprintf(f, " %-26s %6" PRIu64 " block%s\n", classes[c].name, m->count[c],
			m->count[c] == 1 ? "" : "s");
	}
	if (m->nr_hwpoison_blocks) {
		char n[24] = "N";

		/* one block: its number in the hint, ready to paste (usereye6 J) */
		hwpoison_blocks(m, blocks, sizeof(blocks));
		for (uint64_t b = 0; m->nr_hwpoison_blocks == 1 && b < m->nr_blocks; b++)
			if (m->hwpoison[b])
				snprintf(n, sizeof(n), "%" PRIu64, b);
		fprintf(f, "  x hwpoison: %s %s hwpoisoned pages; offline, a block with any cannot "
			   "come online (EHWPOISON): `hotmemctl explain %s`\n", blocks,
			m->nr_hwpoison_blocks == 1 ? "holds" : "hold", n);
	}
	for (size_t i = 0, end; i < m->nr_devs; i = end) {
		end = dev_run_end(m, i);
		dev_letters(i, end, letters, sizeof(letters));
		dev_legend(m, i, end, line, sizeof(line));
		fprintf(f, "  %s %s\n", letters, line);
	}
}

/* the block offset in a row, every 8 cells: "+0      +8      +16 ..." */
static void print_ticks(const struct hmfs_map *m, FILE *f, int aw)
{
	unsigned int used = 0;

	fprintf(f, "%*s  ", aw + 2, "");
	for (unsigned int c = 0; c < m->cols && c < m->nr_cells; c += 8) {
		if (used > c) /* the last label ran into this one's place */
			continue;
		fprintf(f, "%*s", (int)(c - used), "");
		used = c + fprintf(f, "+%" PRIu64, (uint64_t)c * m->group);
	}
	fprintf(f, "\n");
}

/* a line under a row: a character per cell from @mark, or none if all are ' ' */
static void print_marks(const struct hmfs_map *m, FILE *f, int aw, const char *label,
			uint64_t first, uint64_t end, char (*mark)(const struct hmfs_map *, uint64_t))
{
	uint64_t last = end; /* the last cell marked, + 1 */

	while (last > first && mark(m, last - 1) == ' ')
		last--;
	if (last == first)
		return;
	fprintf(f, "%*s  ", aw + 2, label);
	for (uint64_t c = first; c < last; c++)
		fputc(mark(m, c), f);
	fprintf(f, "\n");
}

static char dev_mark(const struct hmfs_map *m, uint64_t cell)
{
	int d = hmfs_map_cell_dev(m, cell);

	return d < 0 ? ' ' : dev_letter(d);
}

/* 'x' under a cell holding hwpoisoned pages, its blocks online or not */
static char hwpoison_mark(const struct hmfs_map *m, uint64_t cell)
{
	return hmfs_map_cell_hwpoison(m, cell) ? 'x' : ' ';
}

/* the node digit, on machines of several nodes only */
static char node_mark(const struct hmfs_map *m, uint64_t cell)
{
	int n = hmfs_map_cell_node(m, cell);

	return m->nr_nodes < 2 || n < 0 ? ' ' : n < 10 ? '0' + n : '+';
}

void hmfs_map_print(const struct hmfs_map *m, FILE *f, bool color)
{
	int aw = snprintf(NULL, 0, "%" PRIx64, m->block_size * m->nr_blocks);

	print_header(m, f);
	print_ticks(m, f, aw);
	for (uint64_t row = 0; row * m->cols < m->nr_cells; row++) {
		uint64_t first = row * m->cols;
		uint64_t end = first + m->cols < m->nr_cells ? first + m->cols : m->nr_cells;

		fprintf(f, "0x%0*" PRIx64 "  ", aw, first * m->group * m->block_size);
		for (uint64_t c = first; c < end; c++)
			put_cell(f, hmfs_map_cell(m, c), color);
		fprintf(f, "\n");
		print_marks(m, f, aw, "hwpoison", first, end, hwpoison_mark);
		print_marks(m, f, aw, "nodes", first, end, node_mark);
		print_marks(m, f, aw, "devices", first, end, dev_mark);
	}
	print_legend(m, f, color);
}

/* ---- SVG ------------------------------------------------------------------ */

#define CELL 14
#define GAP 2
#define LEFT 130
#define TOP 50
/* cells, the device bar and its label, on several nodes the node's label */
static int row_h(const struct hmfs_map *m)
{
	return CELL + (m->nr_nodes > 1 ? 36 : 24);
}

/* a cell's border: holes and unplugged device ranges are outlined */
static const char *class_stroke(enum hmfs_map_class c)
{
	return c == HMFS_MAP_HOLE ? HOLE_STROKE : c == HMFS_MAP_UNPLUGGED ? "#999999" : NULL;
}

/* the hole's hatching: grey diagonals on white */
static void svg_defs(FILE *f)
{
	fprintf(f, "<defs><pattern id=\"%s\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\""
		   " patternTransform=\"rotate(45)\"><rect width=\"4\" height=\"4\" fill=\"#ffffff\"/>"
		   "<rect width=\"1.6\" height=\"4\" fill=\"%s\"/></pattern></defs>\n",
		HOLE_PATTERN, HOLE_STROKE);
}

/*
 * A device's name fits under its cells and the empty ones after them, up
 * to the next device's in the row (~7 px a character at 11 px): past
 * that the names ran into each other (usereye4 #30); the tooltip has it
 */
static bool svg_label_fits(const struct hmfs_map *m, uint64_t c, int d)
{
	uint64_t row_end = (c / m->cols + 1) * m->cols, k = c + 1;

	if (row_end > m->nr_cells)
		row_end = m->nr_cells;
	while (k < row_end && (hmfs_map_cell_dev(m, k) == d || hmfs_map_cell_dev(m, k) < 0))
		k++;
	return (k - c) * (CELL + GAP) >= strlen(m->devs[d].id) * 7;
}

static void svg_cell(const struct hmfs_map *m, FILE *f, uint64_t c, double x, double y)
{
	enum hmfs_map_class cls = hmfs_map_cell(m, c);
	int d = hmfs_map_cell_dev(m, c);
	uint64_t first = c * m->group, hwpoison = hmfs_map_cell_hwpoison(m, c);
	char tip[256];
	int n;

	n = snprintf(tip, sizeof(tip), "block%s %" PRIu64, m->group > 1 ? "s from" : "", first);
	n += snprintf(tip + n, sizeof(tip) - n, " at 0x%" PRIx64 ": %s%s%s", first * m->block_size,
		      classes[cls].name, d >= 0 ? "; device " : "", d >= 0 ? m->devs[d].id : "");
	if (m->nr_nodes > 1 && hmfs_map_cell_node(m, c) >= 0)
		n += snprintf(tip + n, sizeof(tip) - n, "; node %d", hmfs_map_cell_node(m, c));
	if (hwpoison)
		snprintf(tip + n, sizeof(tip) - n, "; %" PRIu64 " hwpoisoned page%s", hwpoison,
			 hwpoison == 1 ? "" : "s");
	hmu_svg_rect(f, x, y, CELL, CELL, class_fill(cls), class_stroke(cls), tip);
	/* the terminal's 'x' row: over the cell, online or not */
	if (hwpoison)
		hmu_svg_text(f, x + CELL / 2.0, y + CELL - 3, 12, "middle", "#000000", "x");
	if (m->nr_nodes > 1 && hmfs_map_cell_node(m, c) >= 0 &&
	    (c % m->cols == 0 || hmfs_map_cell_node(m, c - 1) != hmfs_map_cell_node(m, c))) {
		snprintf(tip, sizeof(tip), "node %d", hmfs_map_cell_node(m, c));
		hmu_svg_line(f, x, y + CELL + 20, x, y + CELL + 32, "#333333", 1.5);
		hmu_svg_text(f, x + 3, y + CELL + 31, 11, "start", "#333333", tip);
	}
	if (d < 0)
		return;
	hmu_svg_rect(f, x, y + CELL + 2, CELL + GAP, 4, dev_fill[d % NR_DEV_FILL], NULL, NULL);
	/* the device's name under its first cell (of this row), where it fits */
	if ((c % m->cols == 0 || hmfs_map_cell_dev(m, c - 1) != d) && svg_label_fits(m, c, d))
		hmu_svg_text(f, x, y + CELL + 17, 11, "start", dev_fill[d % NR_DEV_FILL],
			     m->devs[d].id);
}

/* the cell's offset in its row, every 8 cells, above the first row */
static void svg_ticks(const struct hmfs_map *m, FILE *f)
{
	char t[24];

	for (unsigned int c = 0; c < m->cols && c < m->nr_cells; c += 8) {
		snprintf(t, sizeof(t), "+%" PRIu64, (uint64_t)c * m->group);
		hmu_svg_text(f, LEFT + c * (CELL + GAP), TOP - 6, 10, "start", "#666666", t);
	}
}

static double svg_legend(const struct hmfs_map *m, FILE *f, double y)
{
	char line[320], blocks[192];

	for (int c = HMFS_MAP_NR_CLASS - 1; c >= 0; c--) {
		if (!m->count[c])
			continue;
		hmu_svg_rect(f, LEFT, y - CELL + 3, CELL, CELL, class_fill(c), class_stroke(c), NULL);
		hmu_svg_text(f, LEFT + CELL + 8, y, 13, "start", "#000000", classes[c].name);
		snprintf(line, sizeof(line), "%" PRIu64 " block%s", m->count[c],
			 m->count[c] == 1 ? "" : "s");
		hmu_svg_text(f, LEFT + CELL + 330, y, 13, "end", "#000000", line);
		y += 20;
	}
	if (m->nr_hwpoison_blocks) {
		hwpoison_blocks(m, blocks, sizeof(blocks));
		hmu_svg_text(f, LEFT + CELL / 2.0, y, 13, "middle", "#000000", "x");
		snprintf(line, sizeof(line),
			 "hwpoison: %s; offline, a block with any cannot come online (EHWPOISON)",
			 blocks);
		hmu_svg_text(f, LEFT + CELL + 8, y, 13, "start", "#000000", line);
		y += 20;
	}
	for (size_t i = 0, end; i < m->nr_devs; i = end) {
		end = dev_run_end(m, i);
		hmu_svg_rect(f, LEFT, y - 6, CELL, 4, dev_fill[i % NR_DEV_FILL], NULL, NULL);
		dev_legend(m, i, end, line, sizeof(line));
		hmu_svg_text(f, LEFT + CELL + 8, y, 13, "start", "#000000", line);
		y += 20;
	}
	return y;
}

static size_t legend_lines(const struct hmfs_map *m)
{
	size_t n = m->nr_hwpoison_blocks != 0;

	for (size_t i = 0; i < m->nr_devs; i = dev_run_end(m, i))
		n++;

	for (int c = 0; c < HMFS_MAP_NR_CLASS; c++)
		n += m->count[c] != 0;
	return n;
}

int hmfs_map_svg(const struct hmfs_map *m, FILE *f)
{
	uint64_t rows = (m->nr_cells + m->cols - 1) / m->cols;
	int width = LEFT + m->cols * (CELL + GAP) + 20;
	int height = TOP + rows * row_h(m) + 30 + legend_lines(m) * 20 + 10;
	char title[192], bs[32], cell[32], all[32];
	double y;

	hmfs_size_str(m->block_size, bs, sizeof(bs));
	hmfs_size_str(m->block_size * m->group, cell, sizeof(cell));
	hmfs_size_str(m->block_size * m->nr_blocks, all, sizeof(all));
	snprintf(title, sizeof(title),
		 "Physical memory 0x0-0x%" PRIx64 " (%s): %" PRIu64
		 " block%s of %s, one cell %s (%" PRIu64 " block%s)",
		 m->block_size * m->nr_blocks - 1, all, m->nr_blocks, m->nr_blocks == 1 ? "" : "s",
		 bs, cell, m->group, m->group == 1 ? "" : "s");
	hmu_svg_begin(f, width, height, title);
	svg_defs(f);
	hmu_svg_text(f, 10, 24, 15, "start", "#000000", title);
	svg_ticks(m, f);
	for (uint64_t row = 0; row < rows; row++) {
		char addr[32];

		y = TOP + row * row_h(m);
		snprintf(addr, sizeof(addr), "0x%" PRIx64,
			 row * m->cols * m->group * m->block_size);
		hmu_svg_text(f, LEFT - 10, y + CELL - 2, 12, "end", "#333333", addr);
		for (uint64_t c = row * m->cols; c < (row + 1) * m->cols && c < m->nr_cells; c++)
			svg_cell(m, f, c, LEFT + (c - row * m->cols) * (CELL + GAP), y);
	}
	svg_legend(m, f, TOP + rows * row_h(m) + 30);
	hmu_svg_end(f);
	return fflush(f) || ferror(f) ? -EIO : 0;
}
