/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `hotmemctl map`: the physical address space as a picture, one cell per
 * memory block (or per group of blocks on big machines), coloured by zone
 * and state, holes and devices marked, with a legend; in the terminal or
 * as SVG (engine/uapi/svg.h).  Built from hotmemfs's `status` reply only.
 */
#ifndef HMFS_MAP_H
#define HMFS_MAP_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* what a block is; a cell of several blocks shows its most common online
 * zone if any block is online, else offline with hwpoison, offline,
 * unplugged, hole (map.c) */
enum hmfs_map_class {
	HMFS_MAP_HOLE, /* no memory block: no RAM, no device */
	HMFS_MAP_UNPLUGGED, /* a device's range without a block (virtio-mem) */
	HMFS_MAP_OFFLINE,
	HMFS_MAP_HWPOISON, /* offline, holding hwpoisoned pages: cannot come online */
	HMFS_MAP_DMA, /* online, by zone (enum hmu_zone's order) */
	HMFS_MAP_DMA32,
	HMFS_MAP_NORMAL,
	HMFS_MAP_MOVABLE,
	HMFS_MAP_DEVICE,
	HMFS_MAP_MIXED, /* online, spanning zones (the kernel's "none") */
	HMFS_MAP_NR_CLASS,
};

struct hmfs_map_dev {
	char id[64];
	char driver[32];
	uint64_t addr, size, plugged; /* plugged: virtio-mem only, else size */
	int node;
	char refused[24]; /* a DIMM the guest refused: the errno's name, else "" */
};

struct hmfs_map {
	uint64_t block_size;
	uint64_t nr_blocks; /* blocks 0 .. nr_blocks - 1 are drawn */
	unsigned char *cls; /* [nr_blocks] enum hmfs_map_class */
	short *dev; /* [nr_blocks] index into devs, -1: none */
	short *node; /* [nr_blocks] -1: no block */
	uint64_t *hwpoison; /* [nr_blocks] its hwpoisoned pages (status's "hwpoison") */
	uint64_t nr_hwpoison_blocks; /* blocks holding any, online or not */
	struct hmfs_map_dev *devs;
	size_t nr_devs;
	uint64_t count[HMFS_MAP_NR_CLASS]; /* blocks per class */
	int nr_nodes; /* 1 + the highest node of any block */
	uint64_t group; /* blocks per cell, a power of two */
	uint64_t nr_cells;
	unsigned int cols; /* cells per row */
};

/* most cells drawn: more blocks are grouped */
#define HMFS_MAP_MAX_CELLS 1024
#define HMFS_MAP_COLS 64

/* from a `status` reply; -EINVAL with @err when it is not one */
int hmfs_map_from_status(json_object *status, struct hmfs_map *m, char *err, size_t len);
void hmfs_map_free(struct hmfs_map *m);
/* the class a cell shows (cell = blocks [i*group, (i+1)*group)) */
enum hmfs_map_class hmfs_map_cell(const struct hmfs_map *m, uint64_t cell);
/* the node of a cell's first block that has one, -1: none */
int hmfs_map_cell_node(const struct hmfs_map *m, uint64_t cell);
/* the device a cell belongs to, -1: none */
int hmfs_map_cell_dev(const struct hmfs_map *m, uint64_t cell);
/* the hwpoisoned pages of a cell's blocks, online or offline */
uint64_t hmfs_map_cell_hwpoison(const struct hmfs_map *m, uint64_t cell);
const char *hmfs_map_class_name(enum hmfs_map_class c);
/* the terminal picture; @color: ANSI colours as well as letters */
void hmfs_map_print(const struct hmfs_map *m, FILE *f, bool color);
/* the same as SVG; -errno if writing failed */
int hmfs_map_svg(const struct hmfs_map *m, FILE *f);

#endif /* HMFS_MAP_H */
