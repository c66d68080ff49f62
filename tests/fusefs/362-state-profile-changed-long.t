#!/bin/bash
# A state file's profile file changed into another machine altogether
# (qemu-512m's lines, now numa2's): the refusal names every setting that
# changed, and two lines each way with how many more -- nothing of it cut
# short.  boot34: the settings were cut at 127 bytes (here "...,
# crash_hotplug, pm_adv": check 6 fails on that code), a side's lines at
# 159 (a long line mid-word, its quote and "and N more" lost: 453).
. "$(dirname "$0")/lib.sh"
require_env
P=$TMP/p.profile
printf 'profile = numa2\nname = mine\n' >"$P"
# numa2's lines as a state file keeps them
mount_fs "hotmemfs mounts a profile file over numa2" --profile "$P" --fresh
stop_fs
python3 -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["machine"]["profile-config"]))' \
	"$STATE" >"$TMP/now.lines"
tap_ok $? "... its lines"
printf 'profile = qemu-512m\nname = mine\n' >"$P"
mount_fs "hotmemfs mounts the profile file over qemu-512m" --profile "$P" --fresh
stop_fs
printf 'profile = numa2\nname = mine\n' >"$P"
start_refused "the profile file over numa2 now" 78 "changed since this state was saved: " \
	--control "$CTL" --state "$STATE" --profile "$P" "$MNT"
sed 's/^/# /' "$TMP/out"
# what the refusal's first line should say, from the two sides' lines
python3 - "$STATE" "$TMP/now.lines" "$TMP/out" >"$TMP/check" 2>&1 <<'PY'
import collections, json, re, sys
saved = json.load(open(sys.argv[1]))["machine"]["profile-config"]
now = open(sys.argv[2]).read().splitlines()
first = open(sys.argv[3]).readline().rstrip("\n")
gone = list((collections.Counter(saved) - collections.Counter(now)).elements())
added = list((collections.Counter(now) - collections.Counter(saved)).elements())
keys = {re.split(" |=", l)[0] for l in gone + added}
m = re.search(r"changed since this state was saved: (.*) \(saved with (.*); now (.*)\)$", first)
if not m:
    sys.exit("not the refusal's first line: " + first)
said = m.group(1).split(", ")
if sorted(said) != sorted(keys):
    sys.exit("settings said %s, changed %s" % (said, sorted(keys)))
for side, lines in ((m.group(2), gone), (m.group(3), added)):
    want = "'%s', '%s' and %d more" % (lines[0], lines[1], len(lines) - 2)
    if side.count("'") != 4 or side.split("' and ")[-1] != want.split("' and ")[-1]:
        sys.exit("a side says %r, want like %r" % (side, want))
print("%d settings, %d lines gone, %d new" % (len(keys), len(gone), len(added)))
PY
tap_ok $? "... naming every setting that changed, two whole lines a side and how many more: $(cat "$TMP/check")"
done_testing
