#!/bin/bash
# A DIMM the guest refused (149-dimm-guest-refused.t) is saved with the
# errno it refused with, and a restart puts it back refused.  An errno
# glibc has no name for (no add_memory() failure of today's engine
# gives one: the file is edited to hold it) is saved as its number,
# "300", and read back: the state file held "?", which its own reader
# refused ("'?' is no errno name"), so hotmemfs would not start again
# (fr3 #7).  A file naming the errno (ENOMEM) restores as before; one
# holding neither a name nor a number is refused, saying why.
set -u
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
like() {
	printf '%s\n' "$1" | grep -qE "$2"
	tap_ok $? "$3" || diag "got: $1"
}
# refused_as ERRNO: the state file's DIMM huge refused with ERRNO (a
# string), checksum redone
refused_as() {
	python3 - "$STATE" "$1" <<'PY'
import json, sys, zlib
p = sys.argv[1]
s = json.load(open(p))
for d in s["machine"]["devices"]:
    if d["id"] == "huge":
        d["guest-refused"] = sys.argv[2]
plain = json.dumps(s["machine"], separators=(",", ":")).replace("/", "\\/")
s["crc32"] = zlib.crc32(plain.encode())
json.dump(s, open(p, "w"))
PY
}
# saved_refusal: what the state file (and its journal, empty after a clean
# stop or a start) holds for huge
saved_refusal() {
	python3 -c '
import json, sys
for d in json.load(open(sys.argv[1]))["machine"]["devices"]:
    if d["id"] == "huge":
        print(d.get("guest-refused"))' "$STATE"
}

printf 'profile = qemu-512m\nmaxmem = 256G\n' >"$TMP/p.profile"
OPTS=(--profile "$TMP/p.profile" --cmdline memhp_default_state=offline)
start_fs_netns --fresh "${OPTS[@]}"
tap_ok $? "hotmemfs mounts qemu-512m with maxmem 256G and a private state file"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { echo "Bail out! not a hotmemfs mount"; exit 1; }
out=$(ctl device_add pc-dimm size=64G id=huge 2>&1)
like "$out" "refused by the guest \\(ENOMEM\\)" "a 64G DIMM whose memmap does not fit: refused by the guest"
stop_fs
is "$(saved_refusal)" ENOMEM "the state file names its errno"

start_fs_netns "${OPTS[@]}"
tap_ok $? "a file naming the errno (ENOMEM) restores, as before"
like "$(ctl devices)" "^huge: plugged in slot 0 but refused by the guest \\(ENOMEM\\)" \
	"... huge back, refused with ENOMEM"
stop_fs

refused_as 300
start_fs_netns "${OPTS[@]}"
tap_ok $? "a file with an errno glibc has no name for (300) restores"
like "$(ctl devices)" "^huge: plugged in slot 0 but refused by the guest \\(300\\)" \
	"... huge back, refused with errno 300"
is "$(saved_refusal)" 300 "the state file hotmemfs wrote at its start holds the number, not '?'"
kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "kill -9, restart on the file it wrote: restores"
like "$(ctl devices)" "^huge: plugged in slot 0 but refused by the guest \\(300\\)" \
	"... huge still refused with errno 300"
stop_fs

# a start refused exits (78, EX_CONFIG); one that mounted after all is
# ended by the timeout (124): bounded either way
for bad in '?' ENOTANERRNO 0 4096 12x; do
	refused_as "$bad"
	timeout 60 unshare -n "$HMFS" --control "$CTL" --state "$STATE" "${OPTS[@]}" "$MNT" \
		2>"$TMP/bad.log"
	is $? 78 "a file refused with '$bad' (no errno name or number): the start is refused"
	grep -qF "guest-refused: '$bad' is no errno name or number" "$TMP/bad.log"
	tap_ok $? "... saying why" || diag "$(tail -3 "$TMP/bad.log")"
done
done_testing
