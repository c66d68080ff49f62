#!/bin/bash
# Every step in engine/hotmem_probes.h is a USDT probe (provider hotmem)
# in the binaries that link the engine, with entry and __ret forms and the
# argument counts hotmem-trace expects.
set -u
B=${HOTMEM_BUILD:-build}
SRC=${HOTMEM_SRC:-.}
probes=$(sed -n 's/^[[:space:]]*X(\([a-z_0-9]*\)).*/\1/p' "$SRC/engine/hotmem_probes.h")
count=$(wc -w <<<"$probes")
echo "1..$((count * 2 + 1))"
if ! command -v readelf >/dev/null || [ ! -x "$B/hotmem" ]; then
	for i in $(seq $((count * 2 + 1))); do echo "ok $i # SKIP readelf or $B/hotmem missing"; done
	exit 0
fi
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
