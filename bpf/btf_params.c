// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel function's parameters by name, from BTF (btf_params.h).  A
 * prototype's parameters carry their names in every kernel BTF (pahole
 * writes them); a parameter renamed away is one not found: -1, the
 * decoder then reads nothing rather than another argument.
 */
#include <string.h>

#include "btf_params.h"

int hmt_btf_param(const struct btf *btf, const struct btf_type *proto, const char *name)
{
	const struct btf_param *params = btf_params(proto);

	for (int i = 0; i < btf_vlen(proto); i++) {
		const char *n = btf__name_by_offset(btf, params[i].name_off);

		if (n && !strcmp(n, name))
			return i;
	}
	return -1;
}

int hmt_btf_ptr_param(const struct btf *btf, const struct btf_type *proto, const char *name)
{
	int i = hmt_btf_param(btf, proto, name);
	const struct btf_type *p;

	if (i < 0)
		return -1;
	p = btf__type_by_id(btf, btf__resolve_type(btf, btf_params(proto)[i].type));
	return p && btf_is_ptr(p) ? i : -1;
}

/*
 * 6.1: (start, size, vmemmap_pages, group); 6.12: (start, size, altmap,
 * group); 6.18: (start, size, nid, altmap, group)
 */
void hmt_cmbd_params(const struct btf *btf, const struct btf_type *proto,
		     struct hmt_cmbd_params *p)
{
	p->vmemmap_pages = p->altmap = p->nid = -1;
	if (!proto)
		return;
	p->vmemmap_pages = hmt_btf_param(btf, proto, "vmemmap_pages");
	p->altmap = hmt_btf_ptr_param(btf, proto, "altmap");
	p->nid = hmt_btf_param(btf, proto, "nid");
}
