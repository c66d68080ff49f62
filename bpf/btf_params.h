/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kernel function's parameters by name, from the running kernel's BTF:
 * where the decoder must not take an argument by its place, because the
 * place moved between versions (create_memory_block_devices: 6.18 put a
 * nid third, where 6.1 had vmemmap_pages and 6.12 the altmap).
 */
#ifndef HMT_BTF_PARAMS_H
#define HMT_BTF_PARAMS_H

#include <bpf/btf.h>

#include "hotmem_trace.h"

/* the index of @proto's parameter named @name, or -1 */
int hmt_btf_param(const struct btf *btf, const struct btf_type *proto, const char *name);
/* the index of @proto's parameter named @name when it is a pointer, or -1 */
int hmt_btf_ptr_param(const struct btf *btf, const struct btf_type *proto, const char *name);
/* create_memory_block_devices' parameters the decoder reads; all -1 without @proto */
void hmt_cmbd_params(const struct btf *btf, const struct btf_type *proto,
		     struct hmt_cmbd_params *p);

#endif /* HMT_BTF_PARAMS_H */
