/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one SVG writer: hotmemctl's map of the physical address space and
 * hotmem-trace's timeline draw with it.  Not the kernel's ABI, but like the
 * rest of libhmuapi it is libc only, so every program may link it.
 *
 * Coordinates are user units (pixels at 100%); text is escaped here.
 */
#ifndef HMU_SVG_H
#define HMU_SVG_H

#include <stdio.h>

/* the header: an image of @width x @height with a white background */
void hmu_svg_begin(FILE *f, int width, int height, const char *title);
void hmu_svg_end(FILE *f);
/* a rectangle; @stroke NULL for none; @tip NULL or a tooltip (<title>) */
void hmu_svg_rect(FILE *f, double x, double y, double w, double h, const char *fill,
		  const char *stroke, const char *tip);
/* text at (x, y) (baseline); @anchor "start", "middle" or "end" */
void hmu_svg_text(FILE *f, double x, double y, int size, const char *anchor, const char *fill,
		  const char *text);
void hmu_svg_line(FILE *f, double x1, double y1, double x2, double y2, const char *stroke,
		  double width);
/* the colour of memory online in zone @zid (enum hmu_zone), for every picture */
const char *hmu_svg_zone_fill(int zid);
/* online in several zones, or in a zone not known */
#define HMU_SVG_MIXED_FILL "#17becf"
/* present, offline */
#define HMU_SVG_OFFLINE_FILL "#b0b0b0"
/* a failed operation */
#define HMU_SVG_ERROR_FILL "#d62728"
/* where a removed block's row ends */
#define HMU_SVG_GONE_STROKE "#000000"

/* @s with &, <, >, " escaped, as SVG text and attributes need */
void hmu_svg_escape(FILE *f, const char *s);

#endif /* HMU_SVG_H */
