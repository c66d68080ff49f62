#!/bin/bash
# After `make check`: every skipped check of the run, with its reason, as
# the tests printed it ("1..0 # SKIP why" for a whole file, "ok N - name #
# SKIP why" for one check).  A test needing what the machine lacks skips
# loudly; this is where a person reads what this machine did not test.
logs=${1:?usage: skips.sh LOGDIR}
[ -d "$logs" ] || exit 0
n=0 out=
for f in "$logs"/*.tap; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .tap)
	name=${name//%//}
	while IFS= read -r line; do
		out+="  $name: $line"$'\n'
		n=$((n + 1))
	done < <(grep -aE '^(ok [0-9]+.*|1\.\.0.*)#[[:space:]]*[Ss][Kk][Ii][Pp]' "$f")
done
if [ "$n" -eq 0 ]; then
	echo "make check: no check skipped on this machine"
else
	echo "make check: $n check(s) skipped on this machine:"
	printf '%s' "$out"
fi
