// SPDX-License-Identifier: GPL-2.0
/*
 * hotmemctl map (fusefs/map.c) on known machines, from a status reply:
 * cells per zone and state, holes, devices, grouping, the text and SVG.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "map.h"
#include "uapi/svg.h"

/*
 * The default machine (1 GiB of RAM at 0, 128 MiB blocks) with a 1 GiB
 * pc-dimm at 4 GiB (block 35 online_movable) and a 1 GiB virtio-mem
 * device at 5 GiB of which 256 MiB are plugged: hotmemfs's status reply.
 */
static const char *status_json =
	"{\"machine\":{\"block-size\":134217728},"
	"\"blocks\":["
	"{\"first\":0,\"count\":1,\"start\":0,\"state\":\"online\",\"node\":0,\"zone\":\"none\"},"
	"{\"first\":1,\"count\":7,\"start\":134217728,\"state\":\"online\",\"node\":0,\"zone\":\"DMA32\"},"
	"{\"first\":32,\"count\":3,\"state\":\"offline\",\"node\":0,\"zone\":\"none\"},"
	"{\"first\":35,\"count\":1,\"state\":\"online\",\"node\":0,\"zone\":\"Movable\"},"
	"{\"first\":36,\"count\":4,\"state\":\"offline\",\"node\":0,\"zone\":\"none\"},"
	"{\"first\":40,\"count\":2,\"state\":\"offline\",\"node\":1,\"zone\":\"none\"}],"
	"\"devices\":["
	"{\"id\":\"d1\",\"driver\":\"pc-dimm\",\"node\":0,\"addr\":4294967296,\"size\":1073741824},"
	"{\"id\":\"v1\",\"driver\":\"virtio-mem-pci\",\"node\":1,\"addr\":5368709120,"
	"\"size\":1073741824,\"requested-size\":268435456,\"plugged-size\":268435456}]}";

static json_object *status;
static struct hmfs_map map;

static int setup(void **state)
{
	char err[128];

	status = json_tokener_parse(status_json);
	assert_non_null(status);
	return hmfs_map_from_status(status, &map, err, sizeof(err));
}

static int teardown(void **state)
{
	hmfs_map_free(&map);
	json_object_put(status);
	return 0;
}

static void test_blocks_per_class(void **state)
{
	assert_int_equal(map.nr_blocks, 48); /* up to the virtio-mem device's end */
	assert_int_equal(map.group, 1);
	assert_int_equal(map.nr_cells, 48);
	assert_int_equal(map.count[HMFS_MAP_MIXED], 1); /* block 0: DMA and DMA32 */
	assert_int_equal(map.count[HMFS_MAP_DMA32], 7);
	assert_int_equal(map.count[HMFS_MAP_MOVABLE], 1);
	assert_int_equal(map.count[HMFS_MAP_NORMAL], 0);
	assert_int_equal(map.count[HMFS_MAP_OFFLINE], 9);
	assert_int_equal(map.count[HMFS_MAP_UNPLUGGED], 6);
	assert_int_equal(map.count[HMFS_MAP_HOLE], 24); /* 1 GiB .. 4 GiB */
	assert_int_equal(hmfs_map_cell(&map, 35), HMFS_MAP_MOVABLE);
	assert_int_equal(hmfs_map_cell_dev(&map, 35), 0);
	assert_int_equal(hmfs_map_cell_dev(&map, 47), 1);
	assert_int_equal(hmfs_map_cell_dev(&map, 7), -1);
}

/* @m drawn as text or SVG, in a malloc'd string */
static char *render_map(const struct hmfs_map *m, bool svg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (svg)
		assert_int_equal(hmfs_map_svg(m, f), 0);
	else
		hmfs_map_print(m, f, false);
	fclose(f);
	return buf;
}

static char *render(bool svg)
{
	return render_map(&map, svg);
}

static void test_text(void **state)
{
	char *t = render(false);

	assert_non_null(strstr(t, "0x000000000  *ddddddd........................oooMoooooo------\n"));
	assert_non_null(strstr(t, "    devices                                  aaaaaaaabbbbbbbb\n"));
	/* two nodes: the node of every block under it */
	assert_non_null(strstr(t, "      nodes  00000000                        0000000011\n"));
	assert_non_null(strstr(t, "  M online Movable                  1 block\n"));
	assert_non_null(strstr(t, "  . hole (no memory)               24 blocks\n"));
	assert_non_null(strstr(t, "  b device v1: virtio-mem-pci, 1G at 0x140000000, node 1, 256M plugged\n"));
	assert_null(strstr(t, "online Normal")); /* no such blocks: not in the legend */
	assert_null(strstr(t, "\033[")); /* no colour asked */
	free(t);
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static void test_svg(void **state)
{
	char *t = render(true);

	assert_non_null(strstr(t, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	/* one rect per cell with a tooltip naming its class */
	assert_int_equal(count(t, ": online Movable"), 1);
	assert_int_equal(count(t, ": online DMA32; node 0</title>"), 7);
	assert_int_equal(count(t, ": offline"), 9);
	assert_int_equal(count(t, ": hole (no memory)</title>"), 24);
	assert_int_equal(count(t, ": device range, not plugged; device v1</title>"), 6);
	assert_int_equal(count(t, ": offline; device v1; node 1</title>"), 2);
	assert_int_equal(count(t, "<title>block"), 48);
	assert_non_null(strstr(t, "device v1: virtio-mem-pci, 1G at 0x140000000, node 1, 256M plugged"));
	assert_non_null(strstr(t, "</svg>\n"));
	free(t);
}

/* holes hatched and outlined (a pale fill vanished on white); no red, the timeline's "failed" */
static void test_svg_colours(void **state)
{
	char *t = render(true);
	char want[64];

	assert_non_null(strstr(t, "<defs><pattern id=\"hole\""));
	assert_int_equal(count(t, "fill=\"url(#hole)\" stroke=\"#8c8c8c\" stroke-width=\"1.5\"><title>block"), 24);
	assert_int_equal(count(t, "#f4f4f4"), 0);
	/* the legend's hole swatch too */
	assert_int_equal(count(t, "fill=\"url(#hole)\" stroke=\"#8c8c8c\" stroke-width=\"1.5\"/>"), 1);
	snprintf(want, sizeof(want), "\"%s\"", HMU_SVG_ERROR_FILL);
	assert_int_equal(count(t, want), 0);
	free(t);
}

/* 32768 blocks (4 TiB of 128 MiB blocks): cells of 32 blocks */
static void test_big_machine_groups(void **state)
{
	json_object *s = json_tokener_parse(
		"{\"machine\":{\"block-size\":134217728},\"blocks\":["
		"{\"first\":0,\"count\":16384,\"state\":\"online\",\"zone\":\"Normal\"},"
		"{\"first\":16384,\"count\":16370,\"state\":\"offline\",\"zone\":\"none\"},"
		"{\"first\":32767,\"count\":1,\"state\":\"online\",\"zone\":\"Movable\"}],"
		"\"devices\":[]}");
	struct hmfs_map m;
	char err[128];

	assert_int_equal(hmfs_map_from_status(s, &m, err, sizeof(err)), 0);
	assert_int_equal(m.group, 32);
	assert_int_equal(m.nr_cells, 1024);
	assert_int_equal(m.count[HMFS_MAP_NORMAL], 16384);
	assert_int_equal(m.count[HMFS_MAP_HOLE], 13);
	assert_int_equal(hmfs_map_cell(&m, 0), HMFS_MAP_NORMAL);
	assert_int_equal(hmfs_map_cell(&m, 512), HMFS_MAP_OFFLINE);
	/* the last cell: 18 offline, 13 holes, 1 Movable: the online block shows */
	assert_int_equal(hmfs_map_cell(&m, 1023), HMFS_MAP_MOVABLE);
	/* the one before: offline only */
	assert_int_equal(hmfs_map_cell(&m, 1022), HMFS_MAP_OFFLINE);
	hmfs_map_free(&m);
	json_object_put(s);
}

/*
 * A block holding hwpoisoned pages, a run of its own with "hwpoison":
 * offline it is its own class (it cannot come online), online it keeps
 * its zone; either way an 'x' row marks it and the legend names it
 */
static void test_hwpoison(void **state)
{
	json_object *s = json_tokener_parse(
		"{\"machine\":{\"block-size\":134217728},\"blocks\":["
		"{\"first\":0,\"count\":2,\"state\":\"online\",\"zone\":\"Normal\"},"
		"{\"first\":2,\"count\":1,\"state\":\"offline\",\"zone\":\"none\",\"hwpoison\":3},"
		"{\"first\":3,\"count\":1,\"state\":\"online\",\"zone\":\"Normal\",\"hwpoison\":1},"
		"{\"first\":4,\"count\":2,\"state\":\"offline\",\"zone\":\"none\"}],"
		"\"devices\":[]}");
	struct hmfs_map m;
	char err[128], *buf;

	assert_int_equal(hmfs_map_from_status(s, &m, err, sizeof(err)), 0);
	assert_int_equal(m.count[HMFS_MAP_HWPOISON], 1);
	assert_int_equal(m.count[HMFS_MAP_OFFLINE], 2);
	assert_int_equal(m.count[HMFS_MAP_NORMAL], 3);
	assert_int_equal(m.nr_hwpoison_blocks, 2);
	assert_int_equal(hmfs_map_cell(&m, 2), HMFS_MAP_HWPOISON);
	assert_int_equal(hmfs_map_cell(&m, 3), HMFS_MAP_NORMAL);
	assert_int_equal(hmfs_map_cell_hwpoison(&m, 2), 3);
	assert_int_equal(hmfs_map_cell_hwpoison(&m, 4), 0);
	buf = render_map(&m, false);
	assert_non_null(strstr(buf, "0x00000000  NNxNoo\n  hwpoison    xx\n"));
	assert_non_null(strstr(buf, "  x offline, hwpoisoned pages       1 block\n"));
	assert_non_null(strstr(buf, "  x hwpoison: memory2 (3 pages), memory3 (1 page) hold"));
	free(buf);
	/* a cell of two blocks, offline and offline with poison: the poison shows */
	m.group = 2;
	assert_int_equal(hmfs_map_cell(&m, 1), HMFS_MAP_NORMAL);
	m.cls[3] = HMFS_MAP_OFFLINE;
	assert_int_equal(hmfs_map_cell(&m, 1), HMFS_MAP_HWPOISON);
	hmfs_map_free(&m);
	json_object_put(s);
}

/*
 * 60 DIMMs of 128M back to back (usereye4 #30): past 52 the devices row
 * was all '#', the SVG's names ran into each other and the legend had
 * 60 lines.  Letters go round a-z A-Z, a name is drawn only where it
 * fits, and the legend says the run in one line.  The block kinds'
 * letters (d D M N o V x) are never a device's: the 4th device was 'd',
 * and the legend had "d online DMA32" and "d device ..." (abuse24 A7).
 */
static void test_many_devices(void **state)
{
	char json[16384], *buf, *svg;
	struct hmfs_map m;
	json_object *s;
	char err[128];
	size_t off;

	off = (size_t)snprintf(json, sizeof(json),
			       "{\"machine\":{\"block-size\":134217728},\"blocks\":["
			       "{\"first\":0,\"count\":8,\"state\":\"online\",\"zone\":\"DMA32\"},"
			       "{\"first\":32,\"count\":60,\"state\":\"offline\",\"zone\":\"none\"}],"
			       "\"devices\":[");
	for (int i = 0; i < 60; i++)
		off += (size_t)snprintf(json + off, sizeof(json) - off,
					"%s{\"id\":\"d%d\",\"driver\":\"pc-dimm\",\"node\":0,"
					"\"addr\":%llu,\"size\":134217728}",
					i ? "," : "", i + 1, 0x100000000ULL + i * 134217728ULL);
	snprintf(json + off, sizeof(json) - off, "]}");
	s = json_tokener_parse(json);
	assert_non_null(s);
	assert_int_equal(hmfs_map_from_status(s, &m, err, sizeof(err)), 0);
	buf = render_map(&m, false);
	assert_null(strchr(buf, '#'));
	assert_non_null(strstr(buf, "    devices                                  abcefghijklmnpqrstuvwyzABCEFGHIJ\n"));
	assert_non_null(strstr(buf, "    devices  KLOPQRSTUWXYZabcefghijklmnpq\n"));
	assert_non_null(strstr(buf, "  a-c e-n p-w y-z A-C E-L O-U W-Z a-c e-n p-q 60 devices d1 ... d60: "
				    "pc-dimm, 128M each, 0x100000000-0x2dfffffff, node 0\n"));
	assert_non_null(strstr(buf, "  d online DMA32 "));
	assert_null(strstr(buf, "device d2:"));
	svg = render_map(&m, true);
	/* one-cell devices: "d1".."d9" fit under their cell, "d10" and up do not */
	assert_non_null(strstr(svg, ">d9</text>"));
	assert_null(strstr(svg, ">d10</text>"));
	assert_non_null(strstr(svg, "60 devices d1 ... d60: pc-dimm, 128M each"));
	assert_null(strstr(svg, "device d2:"));
	free(buf);
	free(svg);
	hmfs_map_free(&m);
	json_object_put(s);
}

/*
 * status gives a device's QEMU node, its blocks the guest's (x86 numbers
 * nodes in SRAT order: a profile's QEMU node 2 may be the guest's node 1,
 * engine/srat.c): the legend said "node 2" beside a nodes row of 1s
 * (note28).  Where they differ it says both; a device without blocks yet
 * has QEMU's only.
 */
static void test_device_guest_node(void **state)
{
	json_object *s = json_tokener_parse(
		"{\"machine\":{\"block-size\":134217728},\"blocks\":["
		"{\"first\":0,\"count\":2,\"state\":\"online\",\"node\":0,\"zone\":\"DMA32\"},"
		"{\"first\":4,\"count\":2,\"state\":\"online\",\"node\":1,\"zone\":\"Movable\"}],"
		"\"devices\":["
		"{\"id\":\"d1\",\"driver\":\"pc-dimm\",\"node\":2,\"addr\":536870912,"
		"\"size\":268435456},"
		"{\"id\":\"d2\",\"driver\":\"pc-dimm\",\"node\":2,\"addr\":805306368,"
		"\"size\":268435456,\"guest-refused\":\"ENOSPC\"}]}");
	struct hmfs_map m;
	char err[128], *buf;

	assert_non_null(s);
	assert_int_equal(hmfs_map_from_status(s, &m, err, sizeof(err)), 0);
	buf = render_map(&m, false);
	assert_non_null(strstr(buf, "device d1: pc-dimm, 256M at 0x20000000, node 1 (QEMU node 2)\n"));
	assert_non_null(strstr(buf, "device d2: pc-dimm, 256M at 0x30000000, node 2, refused"));
	free(buf);
	hmfs_map_free(&m);
	json_object_put(s);
}

static void test_not_a_status(void **state)
{
	json_object *s = json_tokener_parse("{\"machine\":{},\"blocks\":[]}");
	struct hmfs_map m;
	char err[128];

	assert_int_equal(hmfs_map_from_status(s, &m, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a status reply"));
	json_object_put(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks_per_class),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_svg_colours),
		cmocka_unit_test(test_big_machine_groups),
		cmocka_unit_test(test_hwpoison),
		cmocka_unit_test(test_many_devices),
		cmocka_unit_test(test_device_guest_node),
		cmocka_unit_test(test_not_a_status),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
