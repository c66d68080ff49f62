// SPDX-License-Identifier: GPL-2.0
/* The one SVG writer (svg.h). */
#include "hmuapi.h"
#include "svg.h"

const char *hmu_svg_zone_fill(int zid)
{
	static const char *const fill[HMU_MAX_NR_ZONES] = {
		[HMU_ZONE_DMA] = "#1f77b4",	[HMU_ZONE_DMA32] = "#6baed6",
		[HMU_ZONE_NORMAL] = "#2ca02c",	[HMU_ZONE_MOVABLE] = "#ff9f1c",
		[HMU_ZONE_DEVICE] = "#9467bd",
	};

	return zid >= 0 && zid < HMU_MAX_NR_ZONES ? fill[zid] : HMU_SVG_MIXED_FILL;
}

void hmu_svg_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			/* XML 1.0 has no other control characters */
			fputc((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' ? '?' : *s, f);
		}
	}
}

void hmu_svg_begin(FILE *f, int width, int height, const char *title)
{
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans Mono, monospace\">\n<title>",
		width, height, width, height);
	hmu_svg_escape(f, title);
	fprintf(f, "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width,
		height);
}

void hmu_svg_end(FILE *f)
{
	fputs("</svg>\n", f);
}

void hmu_svg_rect(FILE *f, double x, double y, double w, double h, const char *fill,
		  const char *stroke, const char *tip)
{
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"", x, y,
		w, h, fill);
	if (stroke)
		fprintf(f, " stroke=\"%s\" stroke-width=\"1.5\"", stroke);
	if (!tip) {
		fputs("/>\n", f);
		return;
	}
	fputs("><title>", f);
	hmu_svg_escape(f, tip);
	fputs("</title></rect>\n", f);
}

void hmu_svg_text(FILE *f, double x, double y, int size, const char *anchor, const char *fill,
		  const char *text)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\" fill=\"%s\">",
		x, y, size, anchor, fill);
	hmu_svg_escape(f, text);
	fputs("</text>\n", f);
}

void hmu_svg_line(FILE *f, double x1, double y1, double x2, double y2, const char *stroke,
		  double width)
{
	fprintf(f,
		"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		"stroke-width=\"%.1f\"/>\n",
		x1, y1, x2, y2, stroke, width);
}
