#!/bin/bash
# Every step in engine/hotmem_probes.h is a USDT probe (provider hotmem)
# in the binaries that link the engine, with entry and __ret forms and the
# argument counts hotmem-trace expects.
set -u
B=${HOTMEM_BUILD:-build}
SRC=${HOTMEM_SRC:-.}
probes=$(sed -n 's/^[[:space:]]*X(\([a-z_0-9]*\)).*/\1/p' "$SRC/engine/hotmem_probes.h")
count=$(wc -w <<<"$probes")
echo "1..$((count * 2 + 2))"
. "$(dirname "$0")/../need.sh"
command -v readelf >/dev/null && [ -x "$B/hotmem" ] ||
	need_plan_skip $((count * 2 + 2)) "readelf (binutils) or $B/hotmem missing"
notes=$(readelf -n "$B/hotmem")
n=0
[ "$(grep -c 'Provider: hotmem' <<<"$notes")" -ge $((count * 2)) ] &&
	echo "ok $((++n)) - provider hotmem has at least $((count * 2)) probes" ||
	echo "not ok $((++n)) - provider hotmem has at least $((count * 2)) probes"
for p in $probes; do
	for form in "$p:5" "${p}__ret:6"; do
		name=${form%:*} nargs=${form#*:}
		args=$(awk -v want="$name" '/Name:/ {name=$2} /Arguments:/ && name==want {print; exit}' <<<"$notes")
		got=$(wc -w <<<"${args#*Arguments:}")
		if [ -n "$args" ] && [ "$got" -eq "$nargs" ]; then
			echo "ok $((++n)) - hotmem:$name with $nargs arguments"
		else
			echo "not ok $((++n)) - hotmem:$name with $nargs arguments"
			echo "# found: '${args:-nothing}'"
		fi
	done
done

# every probe has its semaphore (sdt.h's is-enabled form) in section .probes,
# so that an untraced probe costs a load and a branch
probes_sec=$(readelf -SW "$B/hotmem" | awk '$2 == ".probes" { print $4, $6 }')
read -r paddr psize <<<"${probes_sec:-0 0}"
bad=0 nsem=0
while read -r sem; do
	nsem=$((nsem + 1))
	((sem >= 16#$paddr && sem < 16#$paddr + 16#$psize)) || bad=$((bad + 1))
done < <(awk '/Provider: hotmem/ { p = 1; next } p && /Semaphore:/ { print $NF; p = 0 }' <<<"$notes")
[ "$nsem" -ge $((count * 2)) ] || bad=all
if [ "$psize" != 0 ] && [ "$bad" = 0 ]; then
	echo "ok $((++n)) - every hotmem probe has a semaphore in .probes"
else
	echo "not ok $((++n)) - every hotmem probe has a semaphore in .probes"
	echo "# .probes: '${probes_sec:-none}'; probes without one: ${bad:-0}"
fi
