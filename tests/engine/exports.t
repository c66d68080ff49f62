#!/bin/bash
# libhotmem.a, as `make install` installs it, exports the API of
# engine/hotmem.h and nothing else: every global symbol it defines starts
# with hotmem_ (besides sdt.h's weak, hidden _.stapsdt.base, which every
# object with USDT probes defines), and every function hotmem.h declares
# is there.  The kernel's names (online_pages, pfn_valid, ...) are local.
set -u
B=${HOTMEM_BUILD:-build}
SRC=${HOTMEM_SRC:-.}
LIB=$B/libhotmem.a
echo "1..4"
. "$(dirname "$0")/../need.sh"
command -v nm >/dev/null && [ -f "$LIB" ] || need_plan_skip 4 "nm (binutils) or $LIB missing"
globals=$(nm -g --defined-only "$LIB" | awk 'NF == 3 { print $2, $3 }' | sort -u)
other=$(grep -v -e ' hotmem_' -e '^W _\.stapsdt\.base$' <<<"$globals")
if [ -z "$other" ]; then
	echo "ok 1 - every global symbol of libhotmem.a starts with hotmem_"
else
	echo "not ok 1 - libhotmem.a exports $(wc -l <<<"$other") symbols outside hotmem_:"
	head -20 <<<"$other" | sed 's/^/#   /'
fi

# the header's functions, comments stripped by the preprocessor
declared=$(${CC:-cc} -fpreprocessed -dD -E -P -x c "$SRC/engine/hotmem.h" |
	grep -o '\bhotmem_[a-z0-9_]*[[:space:]]*(' | tr -d '( \t' | sort -u)
defined=$(awk '{ print $2 }' <<<"$globals" | sort -u)
missing=$(comm -23 <(echo "$declared") <(echo "$defined"))
if [ -n "$declared" ] && [ -z "$missing" ]; then
	echo "ok 2 - all $(wc -l <<<"$declared") functions of hotmem.h are exported"
else
	echo "not ok 2 - hotmem.h declares functions libhotmem.a does not export:"
	sed 's/^/#   /' <<<"${missing:-(no declarations found)}"
fi

# the kernel's names are still in the library, only local
if nm "$LIB" | grep -qE '^[0-9a-f]+ t online_pages$'; then
	echo "ok 3 - online_pages is in libhotmem.a as a local symbol"
else
	echo "not ok 3 - online_pages is not a local symbol of libhotmem.a"
	nm "$LIB" | grep -w online_pages | sed 's/^/#   /'
fi

# no data: the USDT semaphores every probe site reads (hotmem_batch_semaphore
# is hidden, not static) are the engine's, local as the kernel's names
data=$(grep -v -e '^T ' -e '^W _\.stapsdt\.base$' <<<"$globals")
if [ -z "$data" ]; then
	echo "ok 4 - libhotmem.a exports functions only (its semaphores are local)"
else
	echo "not ok 4 - libhotmem.a exports data:"
	head -20 <<<"$data" | sed 's/^/#   /'
fi
