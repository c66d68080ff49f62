#!/bin/bash
# hotmem profile --from-sysfs says what it could not infer in the
# profile's "# could not infer:" lines, and on stderr one line: how many
# and their subjects (user42 U1).  Each was a paragraph on stderr too --
# nine on a live host, its whole /proc/cmdline among them -- said twice.
set -u
B=${HOTMEM_BUILD:-build}
HM=$B/hotmem
echo "1..7"
. "$(dirname "$0")/../need.sh"
. "$(dirname "$0")/../profile_notes.sh"
[ -x "$HM" ] || need_plan_skip 7 "$HM not built"
TMP=$(mktemp -d /tmp/hotmem-from-sysfs.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
n=0
t() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

# eight online 128 MiB blocks on node 0, a command line hotmem models none of
d=$TMP/d
from_sysfs_dump "$d"
mkdir -p "$d/proc"
echo 'console=ttyS0 quiet reboot=k panic=1' >"$d/proc/cmdline"

"$HM" profile --from-sysfs "$d" -o "$TMP/p.profile" 2>"$TMP/err"
t $? "hotmem profile --from-sysfs DIR -o FILE exits 0"
sed 's/^/# stderr: /' "$TMP/err"
nr=$(grep -c '^# could not infer: ' "$TMP/p.profile")
[ "$nr" -ge 3 ] && [ "$(wc -l <"$TMP/err")" = 1 ]
t $? "$nr notes in the profile, one line on stderr"
grep -qx "hotmem: could not infer $nr things; the profile's \"# could not infer:\" lines say each and what was taken instead: .*" "$TMP/err"
t $? "... it counts them and points to the profile's lines"
# a subject once, whatever its notes say: "proc/cmdline", not the words
grep -q "instead: .*boot or hot-added, .*proc/cmdline$" "$TMP/err" && ! grep -q "console=ttyS0" "$TMP/err" &&
	grep -q "^# could not infer: proc/cmdline: console=ttyS0 quiet reboot=k panic=1: hotmem models none of these, left out" "$TMP/p.profile"
t $? "... their subjects (proc/cmdline), the host's words only in the profile"
subjects=$(sed 's/^[^:]*: [^:]*: //' "$TMP/err" | tr ',' '\n' | sed 's/^ //; s/ ([0-9]*)$//' | sort | uniq -d)
[ -z "$subjects" ]
t $? "... each subject once ($subjects)"

# the profile on stdout
"$HM" profile --from-sysfs "$d" 2>"$TMP/err2" >"$TMP/out.profile"
t $? "to stdout: exits 0"
cmp -s "$TMP/err" "$TMP/err2" && grep -c '^# could not infer: ' "$TMP/out.profile" | grep -qx "$nr"
t $? "... the same line on stderr, the same notes in the profile on stdout"
