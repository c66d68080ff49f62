// SPDX-License-Identifier: GPL-2.0
/*
 * HugeTLB's boot parameters, hugepages=, hugepagesz= and
 * default_hugepagesz= (6.12 mm/hugetlb.c hugepages_setup(),
 * hugepagesz_setup(), default_hugepagesz_setup()), into the machine's
 * config: the pages hugetlb_init() pre-allocates at boot.
 *
 * hotmem has one hstate, 2 MiB (x86-64's HPAGE_SIZE, the default one), so
 * a size must name it.  Where 6.12 warns and ignores a word -- a size it
 * does not support, a second hugepages= for the same hstate, a malformed
 * count -- hotmem refuses it, as it refuses a misspelt memory_hotplug.*
 * name: a setting silently dropped boots another machine than the one
 * asked for.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "uapi/hmuapi.h"

#define seterr(err, errlen, ...) hm_seterr(-EINVAL, err, errlen, __VA_ARGS__)

#define HPAGE_SIZE_2M		(2ULL << 20)

/*
 * @val as a huge page size: 0 for 2 MiB, else refused.  x86-64's
 * arch_hugetlb_valid_size() (6.12) takes 2 MiB and, with pdpe1gb, 1 GiB;
 * hotmem models only the first.
 */
static int hugetlb_size(const char *key, const char *val, char *err, size_t errlen)
{
	uint64_t size;

	if (!val || hmu_memparse(val, &size))
		return hm_param_err(err, errlen, key, val, "expected a huge page size (2M)");
	if (size == HPAGE_SIZE_2M)
		return 0;
	if (size == 1ULL << 30)
		return seterr(err, errlen,
			      "%s=%s: hotmem models the 2 MiB hstate alone (a 6.12 x86-64 guest "
			      "with pdpe1gb has 1 GiB pages too): hotmem refuses it", key, val);
	return seterr(err, errlen,
		      "%s=%s: not a huge page size of x86-64 (2M, 1G): the kernel would ignore "
		      "it (\"HugeTLB: unsupported %s=%s\"), hotmem refuses it", key, val, key, val);
}

int param_default_hugepagesz(struct hotmem_config *cfg, const char *key, const char *val,
			     char *err, size_t errlen)
{
	int ret = hugetlb_size(key, val, err, errlen);

	if (ret)
		return ret;
	if (cfg->hugetlb_parsed & HUGETLB_DEFAULT_SZ)
		return seterr(err, errlen,
			      "%s=%s given twice: the kernel would ignore the second "
			      "(\"default_hugepagesz previously specified\"), hotmem refuses it",
			      key, val);
	cfg->hugetlb_parsed |= HUGETLB_HSTATE | HUGETLB_DEFAULT_SZ;
	return 0;
}

/*
 * hugepagesz_setup() (6.12): the size's hstate a second time is ignored,
 * and so is the hugepages= after it ("specified twice, ignoring"), unless
 * it is the default one default_hugepagesz= added and no count was given
 * for it yet.
 */
int param_hugepagesz(struct hotmem_config *cfg, const char *key, const char *val, char *err,
		     size_t errlen)
{
	unsigned int p = cfg->hugetlb_parsed;
	int ret = hugetlb_size(key, val, err, errlen);

	if (ret)
		return ret;
	if ((p & HUGETLB_HSTATE) && (!(p & HUGETLB_DEFAULT_SZ) || (p & HUGETLB_PAGES)))
		return seterr(err, errlen,
			      "%s=%s given twice: the kernel would ignore it and a hugepages= after "
			      "it (\"HugeTLB: hugepagesz=%s specified twice, ignoring\"), hotmem "
			      "refuses it", key, val, val);
	cfg->hugetlb_parsed |= HUGETLB_HSTATE;
	return 0;
}

/* a count as the kernel's sscanf("%lu%n") reads it: its end, NULL for none */
static const char *hugepages_count(const char *p, unsigned long *out)
{
	char *end;

	*out = strtoul(p, &end, 10);
	return end == p ? NULL : end;
}

/*
 * "N" or "NODE:N[,NODE:N]..." (hugepages_setup(), 6.12): the node
 * format's counts add up; after a count anything else ends the value.
 * 0, or -EINVAL with @bad where it went wrong.
 */
static int hugepages_parse(const char *val, unsigned long *total, unsigned long *node,
			   const char **bad)
{
	const char *p = val;
	unsigned long tmp, nid;

	for (;;) {
		const char *q = hugepages_count(p, &tmp);

		*bad = p;
		if (!q)
			return -EINVAL;
		if (*q != ':') {
			if (p != val)
				return -EINVAL;
			*total = tmp;
			return 0;
		}
		if (tmp >= HM_MAX_NUMNODES)
			return -EINVAL;
		nid = tmp;
		p = q + 1;
		q = hugepages_count(p, &tmp);
		if (!q)
			return -EINVAL;
		node[nid] = tmp;
		*total += tmp;
		if (*q != ',')
			return 0;
		p = q + 1;
	}
}

/*
 * hugepages=NODE:N names a node of the machine (the guest's id): 6.12's
 * hugepages_setup() drops the whole word for a node not online
 * ("Invalid hugepages parameter"); refused here, as its other bad values.
 * At the word, against the nodes known then, so that an accepted command
 * line is a bootable machine; again when the machine is checked, for a
 * profile whose nodes = comes after its cmdline.
 */
int hugepages_check_nodes(const unsigned long *node, int nr_nodes, char *err, size_t errlen)
{
	for (int nid = nr_nodes; nid < HM_MAX_NUMNODES; nid++)
		if (node[nid])
			return seterr(err, errlen,
				      "hugepages=%d:%lu: node %d is not possible (nodes = %d): the "
				      "kernel would ignore the word (\"HugeTLB: Invalid hugepages "
				      "parameter\"), hotmem refuses it", nid, node[nid], nid, nr_nodes);
	return 0;
}

/*
 * ... and that node is online at boot: 6.12 hugepages_setup() takes
 * "if (tmp >= MAX_NUMNODES || !node_online(tmp)) goto invalid;", which
 * clears the hstate's count and every node's (no page at all) and says
 * "HugeTLB: Invalid hugepages parameter"; a possible node without boot
 * memory or CPUs is not online then (reread30 R7: its pages were dropped
 * with a warning and the other nodes' booted).  Refused, with the rest of
 * the word's bad values, once the machine's nodes are known (validate()).
 */
int hugepages_check_online(const struct hotmem_config *cfg, char *err, size_t errlen)
{
	for (int nid = 0; nid < cfg->nr_possible_nodes && nid < HM_MAX_NUMNODES; nid++)
		if (cfg->hugepages_node[nid] && !srat_node_online_at_boot(cfg, nid))
			return seterr(err, errlen,
				      "hugepages=%d:%lu: node %d is not online at boot (no boot "
				      "memory, no CPU): the kernel would drop the whole word "
				      "(\"HugeTLB: Invalid hugepages parameter\", no page on any "
				      "node), hotmem refuses it", nid, cfg->hugepages_node[nid], nid);
	return 0;
}

int param_hugepages(struct hotmem_config *cfg, const char *key, const char *val, char *err,
		    size_t errlen)
{
	unsigned long total = 0, node[HM_MAX_NUMNODES] = { 0 };
	const char *bad;

	if (cfg->hugetlb_parsed & HUGETLB_PAGES)
		return hm_param_err(err, errlen, key, val,
				    "hugepages= given twice for the one hstate hotmem models: the "
				    "kernel would keep one and ignore the other with a warning, "
				    "hotmem refuses it");
	if (!val || hugepages_parse(val, &total, node, &bad))
		return hm_param_err(err, errlen, key, val,
				    "expected a count of 2 MiB pages, or NODE:COUNT[,NODE:COUNT...] "
				    "(node below %d): the kernel would ignore it (\"HugeTLB: Invalid "
				    "hugepages parameter %s\"), hotmem refuses it",
				    HM_MAX_NUMNODES, val ? bad : "");
	if (hugepages_check_nodes(node, cfg->nr_possible_nodes, err, errlen))
		return -EINVAL;
	cfg->hugepages = total;
	memcpy(cfg->hugepages_node, node, sizeof(node));
	cfg->hugetlb_parsed |= HUGETLB_PAGES;
	return 0;
}
