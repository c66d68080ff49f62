#!/bin/bash
# hotmem-conform's matrix process against a fake hotmem-enter (HOTMEM_ENTER):
# what it does with what a cell prints, with signals, with a closed stdout
# and with bad settings, in a second per case (no machine is entered).
. "$(dirname "$0")/../fusefs/lib.sh"
CONFORM=$HOTMEM_BUILD/hotmem-conform
[ -x "$CONFORM" ] || skip_all "hotmem-conform not built yet"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (hotmem-conform refuses otherwise)"
command -v jq >/dev/null || skip_all "no jq"

# fake_enter NAME BODY: a hotmem-enter that runs BODY (sh) instead of a cell
fake_enter() {
	printf "#!/bin/sh\n%s\n" "$2" >"$TMP/enter-$1"
	chmod +x "$TMP/enter-$1"
	echo "$TMP/enter-$1"
}
# the work directories hotmem-conform left in /tmp
leftovers() {
	find /tmp -maxdepth 1 -name 'hotmem-conform.*' -newer "$TMP/stamp" | wc -l
}
touch "$TMP/stamp"

# an outcome line of 16 KiB (zone_runs of a burst onlined with gaps):
# read whole, not cut at 4 KiB into JSON that does not parse
pad=$(head -c 16000 /dev/zero | tr '\0' x)
enter=$(fake_enter long "echo '{\"new\": 8, \"online\": 8, \"pad\": \"$pad\"}'")
HOTMEM_ENTER=$enter "$CONFORM" --reduced --agent true --only '^agent:true memhp_default_state=offline ' \
	--json "$TMP/long.json" >"$TMP/long" 2>"$TMP/err"
sed 's/^/# /' "$TMP/long" | cut -c1-200
! grep -q "did not run" "$TMP/long"
tap_ok $? "a 16 KiB outcome line is a cell that ran"
is "$(jq -r '.[0].outcome.pad | length' "$TMP/long.json")" 16000 "its outcome whole in the JSON"

[ "$T_FAIL" -gt 0 ] && sed "s/^/# err: /" "$TMP/err" | tail -5 && grep -o "did not run.*" "$TMP/long" | cut -c1-300 | sed "s/^/# /"
done_testing
