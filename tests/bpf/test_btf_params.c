// SPDX-License-Identifier: GPL-2.0
/*
 * create_memory_block_devices' parameters found by name in BTF
 * (bpf/btf_params.c), on the three prototypes the kernels have: 6.1's
 * vmemmap_pages, 6.12's altmap, both third, and 6.18's nid third with
 * the altmap fourth (abuse28 T12: the decoder took the 6.18 nid for 6.1's
 * vmemmap_pages, since its third parameter is no pointer).  Prototypes
 * built with libbpf's BTF writer, as the kernels' BTF has them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <linux/types.h>

#include "btf_params.h"

struct protos {
	struct btf *btf;
	int v61, v612, v618, odd;
};

/* a prototype returning int, its parameters (name, type id) NULL ended */
static int add_proto(struct btf *btf, int ret, ...)
{
	int id = btf__add_func_proto(btf, ret);
	const char *name;
	va_list ap;

	va_start(ap, ret);
	while ((name = va_arg(ap, const char *)))
		assert_int_equal(btf__add_func_param(btf, name, va_arg(ap, int)), 0);
	va_end(ap);
	return id;
}

static int setup(void **state)
{
	static struct protos p;
	int s32, ul, altmap, group;

	p.btf = btf__new_empty();
	assert_non_null(p.btf);
	s32 = btf__add_int(p.btf, "int", 4, BTF_INT_SIGNED);
	ul = btf__add_int(p.btf, "long unsigned int", 8, 0);
	altmap = btf__add_ptr(p.btf, btf__add_fwd(p.btf, "vmem_altmap", BTF_FWD_STRUCT));
	group = btf__add_ptr(p.btf, btf__add_fwd(p.btf, "memory_group", BTF_FWD_STRUCT));
	p.v61 = add_proto(p.btf, s32, "start", ul, "size", ul, "vmemmap_pages", ul, "group", group,
			  NULL);
	p.v612 = add_proto(p.btf, s32, "start", ul, "size", ul, "altmap", altmap, "group", group,
			   NULL);
	p.v618 = add_proto(p.btf, s32, "start", ul, "size", ul, "nid", s32, "altmap", altmap,
			   "group", group, NULL);
	/* an "altmap" that is no pointer is not the one the decoder reads */
	p.odd = add_proto(p.btf, s32, "start", ul, "altmap", ul, NULL);
	*state = &p;
	return 0;
}

static int teardown(void **state)
{
	btf__free(((struct protos *)*state)->btf);
	return 0;
}

static struct hmt_cmbd_params params_of(const struct protos *p, int id)
{
	struct hmt_cmbd_params c;

	hmt_cmbd_params(p->btf, id ? btf__type_by_id(p->btf, id) : NULL, &c);
	return c;
}

static void test_6_1_vmemmap_pages(void **state)
{
	struct hmt_cmbd_params c = params_of(*state, ((struct protos *)*state)->v61);

	assert_int_equal(c.vmemmap_pages, 2);
	assert_int_equal(c.altmap, -1);
	assert_int_equal(c.nid, -1);
}

static void test_6_12_altmap(void **state)
{
	struct hmt_cmbd_params c = params_of(*state, ((struct protos *)*state)->v612);

	assert_int_equal(c.vmemmap_pages, -1);
	assert_int_equal(c.altmap, 2);
	assert_int_equal(c.nid, -1);
}

/* the nid third is no vmemmap count: the altmap fourth is read, the nid reported */
static void test_6_18_nid_then_altmap(void **state)
{
	struct hmt_cmbd_params c = params_of(*state, ((struct protos *)*state)->v618);

	assert_int_equal(c.vmemmap_pages, -1);
	assert_int_equal(c.altmap, 3);
	assert_int_equal(c.nid, 2);
}

static void test_unknown_reads_nothing(void **state)
{
	struct protos *p = *state;
	struct hmt_cmbd_params c = params_of(p, 0);

	assert_int_equal(c.vmemmap_pages, -1);
	assert_int_equal(c.altmap, -1);
	assert_int_equal(c.nid, -1);
	c = params_of(p, p->odd);
	assert_int_equal(c.altmap, -1);
	assert_int_equal(hmt_btf_param(p->btf, btf__type_by_id(p->btf, p->odd), "altmap"), 1);
}

/* this machine's kernel: its prototype is one the decoder reads the vmemmap pages of */
static void test_running_kernel(void **state)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct hmt_cmbd_params c;
	int id;

	(void)state;
	if (!vmlinux)
		skip();
	id = btf__find_by_name_kind(vmlinux, "create_memory_block_devices", BTF_KIND_FUNC);
	if (id < 0) {
		btf__free(vmlinux);
		skip();
	}
	hmt_cmbd_params(vmlinux, btf__type_by_id(vmlinux, btf__type_by_id(vmlinux, id)->type), &c);
	btf__free(vmlinux);
	assert_true(c.vmemmap_pages >= 0 || c.altmap >= 0);
	assert_true(c.nid < 0 || (c.nid != c.vmemmap_pages && c.nid != c.altmap));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_6_1_vmemmap_pages),
		cmocka_unit_test(test_6_12_altmap),
		cmocka_unit_test(test_6_18_nid_then_altmap),
		cmocka_unit_test(test_unknown_reads_nothing),
		cmocka_unit_test(test_running_kernel),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
