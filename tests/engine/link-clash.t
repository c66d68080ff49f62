#!/bin/bash
# A program with its own online_pages(), pfn_valid() and memblock_free()
# links against libhotmem.a laid out as `make install` lays it out
# (include/hotmem/hotmem.h, lib/libhotmem.a) and runs: the engine keeps its
# own kernel functions, the program keeps its.  Before libhotmem.a hid the
# kernel's names the link failed with "multiple definition of online_pages".
set -u
B=${HOTMEM_BUILD:-build}
SRC=${HOTMEM_SRC:-.}
CC=${CC:-cc}
# need_built, need_tool: a failure under make check, a loud skip by hand
# (tests/need.sh); what they print ends with its plan (need_plan_first)
. "$(dirname "$0")/../need.sh"
n=0 need_plan_first=1
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
nok() { echo "not ok $((n += 1)) - $1"; }
need_built "$B/libhotmem.a"
need_tool "$CC" gcc
echo "1..3"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/include/hotmem" "$T/lib"
install -m 0644 "$SRC/engine/hotmem.h" "$SRC/engine/hotmem_probes.h" "$T/include/hotmem/"
install -m 0644 "$B/libhotmem.a" "$T/lib/"

cat >"$T/user.c" <<'C'
#include <stdio.h>
#include <hotmem/hotmem.h>

/* the program's own functions that happen to have the kernel's names */
static int calls;
int online_pages(unsigned long a, unsigned long b);
int pfn_valid(unsigned long pfn);
void memblock_free(void *p, size_t size);
int online_pages(unsigned long a, unsigned long b) { calls++; return (int)(a + b); }
int pfn_valid(unsigned long pfn) { calls++; return pfn == 42; }
void memblock_free(void *p, size_t size) { calls++; (void)p; (void)size; }

int main(void)
{
	struct hotmem_config cfg;
	struct hm_block_info bi;
	struct hotmem *hm;
	uint64_t start, bs;
	char err[256];

	hotmem_config_default(&cfg);
	if (hotmem_create(&cfg, &hm, err, sizeof(err))) {
		printf("create: %s\n", err);
		return 1;
	}
	bs = hotmem_block_size(hm);
	if (hotmem_find_free_range(hm, bs, 0, &start) ||
	    hotmem_add_memory(hm, 0, start, bs, 0, -1) ||
	    hotmem_block_set_online(hm, start / bs, true) ||
	    hotmem_block_info(hm, start / bs, &bi)) {
		printf("hot-add and online failed\n");
		return 1;
	}
	printf("engine state %s, program's functions called %d times\n",
	       hotmem_state_name(bi.state), calls);
	printf("program's own: online_pages %d pfn_valid %d\n", online_pages(1, 2), pfn_valid(42));
	memblock_free(NULL, 0);
	printf("calls %d\n", calls);
	hotmem_destroy(hm);
	return 0;
}
C
san=()
[ -n "${SANITIZE:-}" ] && san=(-fsanitize="$SANITIZE")
if out=$("$CC" -std=gnu11 -Wall -Werror "${san[@]}" -I"$T/include" "$T/user.c" \
	-L"$T/lib" -lhotmem -lm -pthread -o "$T/user" 2>&1); then
	echo "ok 1 - a program defining online_pages/pfn_valid/memblock_free links with -lhotmem"
else
	echo "not ok 1 - the link clashes with libhotmem.a"
	head -20 <<<"$out" | sed 's/^/#   /'
	echo "ok 2 # SKIP not linked"
	echo "ok 3 # SKIP not linked"
	exit 0
fi
out=$("$T/user" 2>&1)
if grep -q "^engine state online, program's functions called 0 times$" <<<"$out"; then
	echo "ok 2 - the engine onlined a hot-added block with its own functions"
else
	echo "not ok 2 - the engine did not online the block on its own"
	sed 's/^/#   /' <<<"$out"
fi
if grep -q "^program's own: online_pages 3 pfn_valid 1$" <<<"$out" && grep -q "^calls 3$" <<<"$out"; then
	echo "ok 3 - the program's calls reach the program's functions"
else
	echo "not ok 3 - the program's calls did not reach its own functions"
	sed 's/^/#   /' <<<"$out"
fi
