#!/bin/bash
# hotmemctl --json's output when it ends in an error (ctlfix, session 15):
# `explain N --all --json` cut short by a refused or lost page closed its
# list with "]}" and "truncated": false, a whole-looking object, the error
# on stderr alone; `events --json` ended on stderr alone.  Now both end
# with the "error" a refusal has, {"class": ..., "desc": ...}, on stdout:
# explain's one object ("truncated": true, what it did not list), events'
# last line.  A lost page is made with strace's syscall fault injection
# (hotmemctl's send() of the second page fails), hotmemfs real.
. "$(dirname "$0")/lib.sh"
private_mount_ns "$@"
require_env
need_tool python3 python3

mount_fs "hotmemfs mounts" --fresh
ctl device_add pc-dimm size=256M id=d1 >/dev/null && ctl online 32 && ctl alloc unmovable 3000 >/dev/null
tap_ok $? "a pc-dimm's first block onlined to Normal, 3000 unmovable pages in it"

# json_check FILE PYTHON-EXPR: FILE is one JSON object d, and EXPR on it prints what is checked
json_check() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2" 2>&1
}

ctl --json explain 32 --all >"$TMP/all.json" 2>"$TMP/all.err"
is "$?:$(cat "$TMP/all.err")" "0:" "--json explain 32 --all: whole, nothing on stderr"
is "$(json_check "$TMP/all.json" '"error" in d, d["truncated"], d["more_entries"], d["more_pages"], len(d["pages"]) == d["entries"] > 64')" \
	"(False, False, 0, 0, True)" "... no error, not truncated, nothing more, every entry (more than a page)"
entries=$(json_check "$TMP/all.json" 'd["entries"]')

lost_page_skips() {	# lost_page_skips WHY: the three checks below, skipped saying WHY
	ok "the second page's request lost # SKIP $1"
	ok "... stdout one JSON object # SKIP $1"
	ok "... its pages and the pages not listed add up # SKIP $1"
}
if ! need_there strace; then
	# strace is in fusefs-test.list: missing under make check is a failure
	have_tool strace strace "strace, to lose a page's request"
	lost_page_skips "strace missing"
elif ! strace -qq -o /dev/null -e trace=sendto -e inject=sendto:error=EPIPE:when=99 true 2>/dev/null; then
	lost_page_skips "strace cannot inject faults here (no ptrace?): a lost page not made"
else
	# LeakSanitizer cannot run under ptrace (make check SANITIZE=...): off there only
	nolsan=ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	# the sends of one page's conversation (greeting's qmp_capabilities, the request): the next fails
	env "$nolsan" strace -f -qq -e trace=sendto -o "$TMP/sends" "$HMCTL" -s "$CTL" --json explain 32 >/dev/null
	n=$(grep -c 'sendto(' "$TMP/sends")
	env "$nolsan" strace -f -qq -o /dev/null -e trace=sendto -e inject=sendto:error=EPIPE:when=$((n + 1)) \
		"$HMCTL" -s "$CTL" --json explain 32 --all >"$TMP/cut.json" 2>"$TMP/cut.err"
	is "$?:$(cat "$TMP/cut.err")" "1:hotmemctl: explain --all: no reply for the next entries" \
		"the second page's request lost: exit 1, said on stderr"
	is "$(json_check "$TMP/cut.json" 'd["error"], d["truncated"], len(d["pages"]), d["more_entries"] == d["entries"] - 64, d["entries"]')" \
		"({'class': 'GenericError', 'desc': 'no reply for the next entries'}, True, 64, True, $entries)" \
		"... stdout one JSON object: the head, the first page, truncated, what is not listed, the error"
	is "$(json_check "$TMP/cut.json" 'd["more_pages"] + sum(1 << p["order"] for p in d["pages"]) == d["entry_pages"]')" \
		"True" "... its pages and the pages not listed add up to the head's"
fi

# events --json: the stop's error line is the stream's last, on stdout too
ctl --json events >"$TMP/ev.out" 2>"$TMP/ev.err" &
follower=$!
follow_wait 1 "a follower of events --json"
ctl device_add pc-dimm id=d2 size=128M >/dev/null
ev_wait "$TMP/ev.out" '"event"' 1
tap_ok $? "... its events come (device_add d2)"
kill -TERM "$FS_PID"
wait_gone "$FS_PID" 60
tap_ok $? "SIGTERM: hotmemfs stops"
FS_PID=
umount "$MNT" 2>/dev/null
if wait_gone "$follower" 20; then
	wait "$follower"
	is "$?" 1 "events --json ends, exit 1"
else
	nok "events --json ends, exit 1 (still following)"
	kill "$follower"
fi
is "$(tail -n 1 "$TMP/ev.out")" '{"error":{"class":"GenericError","desc":"hotmemfs is stopping: no more events"}}' \
	"... its last line the stop's error object"
is "$(python3 -c '
import json, sys
print(all("event" in o or "error" in o for o in map(json.loads, open(sys.argv[1]))))' "$TMP/ev.out")" "True" \
	"... every line one JSON object"
is "$(cat "$TMP/ev.err")" "hotmemctl: hotmemfs is stopping: no more events" "... the line on stderr as before"

# a hotmemfs gone without a word (kill -9): the stream ends in hotmemctl's own error object
mount_fs "hotmemfs mounts again" --fresh
ctl --json events >"$TMP/ev2.out" 2>"$TMP/ev2.err" &
follower=$!
follow_wait 1 "a follower of events --json"
kill9_fs
if wait_gone "$follower" 20; then
	wait "$follower"
	is "$?" 1 "kill -9: events --json ends, exit 1"
else
	nok "kill -9: events --json ends, exit 1 (still following)"
	kill "$follower"
fi
is "$(cat "$TMP/ev2.out")" '{"error":{"class":"GenericError","desc":"hotmemfs closed the connection without a word"}}' \
	"... stdout: the error object"
is "$(cat "$TMP/ev2.err")" "hotmemctl: $CTL: hotmemfs closed the connection without a word: stopping or crashed?" \
	"... the line on stderr as before"
done_testing
