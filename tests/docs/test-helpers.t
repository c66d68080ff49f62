#!/bin/bash
# The tests' own helpers fail on the wrong input.  A helper that cannot
# fail makes every check built on it pass whatever the program does: the
# session 12 final read found same_text (tests/reliability/lib.sh) passing
# two empty snapshots, i.e. two failed `hotmemctl status` runs, as "the
# same machine".  Each helper runs here in a bash of its own, sourced from
# its own folder as a test there sources it; nothing is mounted.
. "$(dirname "$0")/lib.sh"
tests=$(cd "$src/tests" && pwd)

# probe AREA CODE: CODE run after sourcing tests/AREA/lib.sh (its $0 a
# test of that folder, as the lib expects); its output and exit status
probe() {
	bash -c '. "$(dirname "$0")/lib.sh"; '"$2" "$tests/$1/probe.t" 2>&1
}
# expect NAME WANT-REGEX OUTPUT: OUTPUT matches (the probe's TAP)
expect() {
	local got
	mapfile -t got <<<"$3"
	if [[ $3 =~ $2 ]]; then ok "$1"; else notok "$1" "got:" "${got[@]/#/  }"; fi
}

# ---- tests/reliability/lib.sh same_text ----
expect "same_text: two empty sides fail (two failed snapshots are not the same machine)" \
	'^not ok 1 - x' "$(probe reliability 'same_text "" "" x')"
expect "same_text: an empty got fails" '^not ok 1 - x' "$(probe reliability 'same_text "" "a" x')"
expect "same_text: an empty want fails" '^not ok 1 - x' "$(probe reliability 'same_text "a" "" x')"
expect "same_text: different texts fail, with a diff" $'^not ok 1 - x\n#   --- ' \
	"$(probe reliability 'same_text "a" "b" x')"
expect "same_text: the same text passes" '^ok 1 - x$' "$(probe reliability 'same_text "a" "a" x')"

# ---- tests/fusefs/lib.sh same_output ----
expect "same_output: two empty outputs fail (two failed commands are not the same output)" \
	'^not ok 1 - x' "$(probe fusefs 'same_output "" "" x')"
expect "same_output: one empty side fails" '^not ok 1 - x' "$(probe fusefs 'same_output "" "a" x')"
expect "same_output: different outputs fail" '^not ok 1 - x' "$(probe fusefs 'same_output "a" "b" x')"

expect "same_output: the same output passes" '^ok 1 - x$' "$(probe fusefs 'same_output "a" "a" x')"

# ---- tests/fusefs/lib.sh tap_ok ----
expect "tap_ok: a failed check is false, so that || diag says why" $'^not ok 1 - x\n# why$' \
	"$(probe fusefs 'tap_ok 1 x || diag why')"
expect "tap_ok: a passed check is true" $'^ok 1 - x\non$' "$(probe fusefs 'tap_ok 0 x && echo on')"

# ---- tests/fusefs/lib.sh start_refused ----
expect "start_refused: another exit status fails" '^not ok 1 - x: refused, exit 78' \
	"$(probe fusefs 'HMFS=true; start_refused x 78 .')"
expect "start_refused: a message without the words wanted fails" $'^ok 1 - x: refused, exit 1\nnot ok 2 - x: says why' \
	"$(probe fusefs 'HMFS=false; start_refused x 1 words')"

# ---- tests/fusefs/lib.sh is_like ----
expect "is_like: an empty got fails (a failed command's output)" '^not ok 1 - x' "$(probe fusefs 'is_like "" "*" x')"
expect "is_like: a text not like the pattern fails" '^not ok 1 - x' "$(probe fusefs 'is_like "Error: b" "Error: a*" x')"
expect "is_like: a text like it passes" '^ok 1 - x$' "$(probe fusefs 'is_like "Error: a (EBUSY); more" "Error: a (EBUSY)*" x')"

# ---- tests/need.sh need_tool, need_built (through both libs) ----
# a deps list of its own: a package no machine has, as if listed
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
mkdir -p "$fake/scripts/deps"
echo "nosuch-hotmem-pkg # a test's tool" >"$fake/scripts/deps/x-test.list"
# in_env AREA CODE ENV...: the probe with the fake lists, ENV (NAME=VALUE)
# set after CI and HOTMEM_TEST_LOGS are taken away; its exit status last
in_env() {
	local area=$1 code=$2
	shift 2
	env -u CI -u HOTMEM_TEST_LOGS HOTMEM_SRC="$fake" "$@" \
		bash -c '. "$(dirname "$0")/lib.sh"; '"$code" "$tests/$area/probe.t" 2>&1
	echo "[exit $?]"
}
# plain/strict/ci AREA CODE: outside make check, under it, under CI=true
plain() { in_env "$1" "$2"; }
strict() { in_env "$1" "$2" HOTMEM_TEST_LOGS="$fake"; }
ci() { in_env "$1" "$2" CI=true; }
for area in fusefs daemon; do
	expect "$area: need_tool of a listed package's missing tool under make check fails, naming the list" \
		$'^not ok 1 - nosuch-tool is there: scripts/deps/x-test.list installs nosuch-hotmem-pkg.*\n1\\.\\.[12]\n' \
		"$(strict $area 'need_tool nosuch-tool nosuch-hotmem-pkg; echo reached')"
	expect "$area: ... under CI=true too" '^not ok 1 - nosuch-tool is there' \
		"$(ci $area 'need_tool nosuch-tool nosuch-hotmem-pkg; echo reached')"
	expect "$area: ... outside make check, the package not installed: a loud skip" \
		'^1\.\.0 # SKIP nosuch-tool missing: scripts/deps/x-test.list names nosuch-hotmem-pkg \(make deps installs it\)' \
		"$(plain $area 'need_tool nosuch-tool nosuch-hotmem-pkg; echo reached')"
	expect "$area: a package the lists do not name: a skip even under make check" \
		'^1\.\.0 # SKIP nosuch-tool missing \(package unlisted-pkg\)' \
		"$(strict $area 'need_tool nosuch-tool unlisted-pkg; echo reached')"
	expect "$area: a skip after a check: the rest of the file, as one skipped check" \
		$'^ok 1 - a\nok 2 - # SKIP nosuch-tool missing' \
		"$(plain $area 'ok a; need_tool nosuch-tool nosuch-hotmem-pkg; echo reached')"
	expect "$area: a tool that is there (a path too): on" $'^reached\n\\[exit 0\\]' \
		"$(strict $area 'need_tool bash nosuch-hotmem-pkg && need_tool /bin/sh nosuch-hotmem-pkg && echo reached')"
	expect "$area: have_tool: one check failed under make check, the test going on" \
		$'^not ok 1 - x \\(nosuch-tool is not there: scripts/deps/x-test.list installs nosuch-hotmem-pkg\\)\non' \
		"$(strict $area 'have_tool nosuch-tool nosuch-hotmem-pkg x || echo on')"
	expect "$area: ... one check skipped by hand, the test going on" \
		$'^ok 1 - x # SKIP nosuch-tool missing \\(package nosuch-hotmem-pkg, in scripts/deps/x-test.list: make deps\\)\non' \
		"$(plain $area 'have_tool nosuch-tool nosuch-hotmem-pkg x || echo on')"
	expect "$area: ... a tool that is there: no check printed, true" $'^yes\n' \
		"$(strict $area 'have_tool bash nosuch-hotmem-pkg x && echo yes')"
	expect "$area: need_file of a missing fixture fails, by hand too" \
		'^not ok 1 - /nonexistent/fixture.txt is there \(a file of the source tree\)' \
		"$(plain $area 'need_file /nonexistent/fixture.txt; echo reached')"
	expect "$area: need_built of a missing file under make check fails" \
		'^not ok 1 - /nonexistent/hotmemfs is built' "$(strict $area 'need_built /nonexistent/hotmemfs; echo reached')"
	expect "$area: ... outside it, a skip" '^1\.\.0 # SKIP /nonexistent/hotmemfs not built \(make all\)' \
		"$(plain $area 'need_built /nonexistent/hotmemfs; echo reached')"
done

# require_env, need_enter: the fusefs and hotmem-enter tests' preludes (a
# build of hotmemfs and hotmemctl without hotmem-enter)
mkdir -p "$fake/build"
touch "$fake/build/hotmemfs" "$fake/build/hotmemctl"
if [ "$(id -u)" -eq 0 ] && [ -c /dev/fuse ]; then
	expect "require_env: hotmemfs not built, under make check: a failure" \
		'^not ok 1 - /nonexistent/hotmemfs is built' \
		"$(in_env fusefs 'require_env; echo reached' HOTMEM_TEST_LOGS="$fake" HOTMEM_BUILD=/nonexistent)"
	expect "need_enter: hotmem-enter not built, under make check: a failure" \
		'^not ok 1 - [^ ]*/build/hotmem-enter is built' \
		"$(in_env fusefs 'need_enter; echo reached' HOTMEM_TEST_LOGS="$fake" HOTMEM_BUILD="$fake/build")"
else
	expect "need_enter: not root or no /dev/fuse: a skip saying which" \
		'^1\.\.0 # SKIP (needs root|no /dev/fuse)' "$(in_env fusefs 'need_enter; echo reached')"
fi

# tests/bpf/lib.sh, tests/kernel/tap.sh: their tests print their plan after
# asking for tools, their done_testing none: need_end_fail prints it
ln -s "$tests" "$fake/tests" # they source $HOTMEM_SRC/tests/need.sh
for lib in bpf/lib.sh kernel/tap.sh; do
	expect "$lib: need_tool of a listed package's missing tool under make check fails, with a plan" \
		$'^not ok 1 - nosuch-tool is there: scripts/deps/x-test.list installs nosuch-hotmem-pkg.*\n1\\.\\.1\n\\[exit 1\\]$' \
		"$(env -u CI HOTMEM_SRC="$fake" HOTMEM_TEST_LOGS="$fake" \
			bash -c '. "$0"; need_tool nosuch-tool nosuch-hotmem-pkg; echo reached' "$tests/$lib" 2>&1; echo "[exit $?]")"
done
if [ "$(id -u)" -eq 0 ]; then
	expect "bpf/lib.sh need_bpf: hotmem-trace not built, under make check: a failure, with a plan" \
		$'^not ok 1 - [^ ]*/build/hotmem-trace is built.*\n1\\.\\.1\n\\[exit 1\\]$' \
		"$(env -u CI HOTMEM_SRC="$fake" HOTMEM_TEST_LOGS="$fake" HOTMEM_BUILD="$fake/build" \
			bash -c '. "$0"; need_bpf; echo reached' "$tests/bpf/lib.sh" 2>&1; echo "[exit $?]")"
fi

# tests/kernel/tap.sh verdict: the check's status is the verdict, its
# printer's never (reread20 G8: `compare || ! compare_failed; ok $?`)
kv() { bash -c '. "$0"; '"$1"'; echo "[exit $?]"' "$tests/kernel/tap.sh" 2>&1; }
expect "kernel/tap.sh verdict: a failed check is not ok though its printer fails" $'^why\nnot ok 1 - x\n\\[exit 1\\]$' \
	"$(kv 'verdict 1 x eval "echo why; false"')"
expect "kernel/tap.sh verdict: a passed check is ok, its printer not run" $'^ok 1 - x\n\\[exit 0\\]$' \
	"$(kv 'verdict 0 x echo printed')"
# and no test takes a verdict from a printer's status: `check ||` then a
# line `! printer`, whose $? the next line's ok reads.  Exactly that: a
# `||` then a `! ` line of an if's or a while's condition (ending in
# `then` or `do`), or one no $? reads after, is a test's own logic
# (the check flagged `if a ||` / `! b; then`, cmdline39)
printer_verdicts() {
	awk 'FNR == 1 { prev = ""; pend = "" }
	     pend != "" && /\$\?/ { print pend }
	     { pend = "" }
	     prev ~ /\|\|[[:space:]]*$/ && /^[[:space:]]*! / && !/(then|do)[[:space:]]*(#.*)?$/ {
		pend = FILENAME ":" FNR
	     }
	     { prev = $0 }' "$@"
}
printf 'check ||\n\t! printer\ntap_ok $? x\n' >"$fake/verdict-bad.t"
printf 'if a ||\n\t! b; then\n\ttap_ok $? x\nfi\nc ||\n\t! d\necho e\n' >"$fake/verdict-ok.t"
expect "printer_verdicts: check || / ! printer / tap_ok \$? is found" "^$fake/verdict-bad.t:2\$" \
	"$(printer_verdicts "$fake/verdict-bad.t")"
expect "printer_verdicts: an if's condition and a ! no \$? reads are not" '^$' \
	"$(printer_verdicts "$fake/verdict-ok.t")"
bad=$(cd "$src" && printer_verdicts tests/*/*.t tests/*/*.sh | tr '\n' ' ')
[ -z "$bad" ] && ok "no test's verdict is a printer's status (check || ! printer; ok \$?)" ||
	notok "no test's verdict is a printer's status (check || ! printer; ok \$?): tests/kernel/tap.sh verdict" "found: $bad"

# tests/kernel/qmp.py Guest: its timeout bounds a guest that hangs silent
# too (lines() read the clock only when a console line came): a stand-in
# for QEMU printing one line, then nothing for 60 s, under a 1 s timeout
gout=$(cd "$tests/kernel" && timeout 20 python3 -c '
import io
from qmp import Guest
log = io.StringIO()
with Guest(["sh", "-c", "echo hi; exec sleep 60", "sh"], log, 1) as g:
    print(list(g.lines()))
print(log.getvalue(), end="")' 2>&1)
grc=$?
[ $grc = 0 ] && [[ $gout == *"TIMEOUT after 1 s"* ]] &&
	ok "kernel/qmp.py Guest: a guest silent past its timeout is killed there" ||
	notok "kernel/qmp.py Guest: a guest silent past its timeout is killed there" "exit $grc (124: still waiting after 20 s)" "$gout"

# ---- tests/daemon/lib.sh mount_hotmemfs ----
# a hotmemfs that exits at once: our own failure, not the machine's
printf '#!/bin/sh\necho "hotmemfs: cannot boot: EINVAL" >&2\nexit 1\n' >"$fake/fs-fails"
printf '#!/bin/sh\necho "fuse: failed to open /dev/fuse: Permission denied" >&2\nexit 1\n' >"$fake/fs-eperm"
chmod +x "$fake/fs-fails" "$fake/fs-eperm"
expect "mount_hotmemfs: our hotmemfs failing to mount fails the test, with its log" \
	$'# hotmemfs: cannot boot: EINVAL\nnot ok 1 - hotmemfs mounts on .*/m \\(its log above\\)\n1\\.\\.1\n\\[exit 1\\]$' \
	"$(plain daemon "FS=$fake/fs-fails; mount_hotmemfs \$TMP/m \$TMP/c \$TMP/u; echo reached")"
expect "mount_hotmemfs: FUSE refused to us (/dev/fuse: permission): a skip" \
	'1\.\.0 # SKIP FUSE refused to us: fuse: failed to open /dev/fuse: Permission denied' \
	"$(plain daemon "FS=$fake/fs-eperm; mount_hotmemfs \$TMP/m \$TMP/c \$TMP/u; echo reached")"

# ---- tests/fusefs/lib.sh start_fs (tests/reliability/lib.sh start_fs_netns) ----
# a start that does not mount says why where plain prove shows it: on
# stderr, not as "#" lines on stdout (prove -v's only), and keeps the log
# past $TMP (reread26 R6: a restart's failure said nothing in a CI log)
expect "start_fs: a hotmemfs that does not mount fails, saying why on stderr and keeping its log" \
	$'^rc=1\n#   hotmemfs: cannot boot: EINVAL\n# hotmemfs did not mount [^ ]* \\(pid [0-9]+, exited\\): its log\'s end above, all of it in [^ ]*/logs/[^ ]*probe\\.t\\.hotmemfs\\.log\nkept: hotmemfs: cannot boot: EINVAL\n' \
	"$(plain fusefs "HMFS=$fake/fs-fails HOTMEM_TEST_LOGS=$fake/logs; start_fs >/dev/null 2>\$TMP/e
		echo rc=\$?; cat \$TMP/e; echo kept: \$(cat $fake/logs/*probe.t.hotmemfs.log)")"

# ---- tests/fusefs/lib.sh stop_fs ----
# LeakSanitizer unable to run (hotmemfs under strace): a skipped check, once
lsan='==1==LeakSanitizer has encountered a fatal error.\n==1==HINT: LeakSanitizer does not work under ptrace (strace, gdb, etc)\n'
expect "stop_fs: a log saying LeakSanitizer could not run is a skipped leak check, said once" \
	$'^ok 1 - hotmemfs exited without leak reports # SKIP leaks not checked in this run: LeakSanitizer does not work under ptrace \\(strace, gdb, etc\\)\nnext\n' \
	"$(plain fusefs "printf '$lsan' >\$TMP/hotmemfs.log; true & FS_PID=\$!; stop_fs; true & FS_PID=\$!; stop_fs; echo next")"

# need_plan_skip, for tests that print their plan first (tests/engine, selftest)
expect "need_plan_skip: under make check, check 1 fails, the rest skip, exit 1" \
	$'^not ok 1 - why \\(make check.*\nok 2 # SKIP the test did not run\nok 3 # SKIP the test did not run\n\\[exit 1\\]$' \
	"$(HOTMEM_TEST_LOGS=$fake bash -c '. "$0"; need_plan_skip 3 why' "$tests/need.sh"; echo "[exit $?]")"
expect "need_plan_skip: by hand, all skip, exit 0" \
	$'^ok 1 # SKIP why\nok 2 # SKIP why\nok 3 # SKIP why\n\\[exit 0\\]$' \
	"$(env -u CI -u HOTMEM_TEST_LOGS bash -c '. "$0"; need_plan_skip 3 why' "$tests/need.sh"; echo "[exit $?]")"
expect "need_whole_skip: under make check, one failed check" $'^not ok 1 - why \\(make check.*\n1\\.\\.1\n\\[exit 1\\]$' \
	"$(HOTMEM_TEST_LOGS=$fake bash -c '. "$0"; need_whole_skip why' "$tests/need.sh"; echo "[exit $?]")"
expect "need_whole_skip: by hand, the file skipped" $'^1\\.\\.0 # SKIP why\n\\[exit 0\\]$' \
	"$(env -u CI -u HOTMEM_TEST_LOGS bash -c '. "$0"; need_whole_skip why' "$tests/need.sh"; echo "[exit $?]")"

# every need_tool of the tests names a package the deps lists install (a
# misspelt one would skip for good, even under make check)
unlisted= nt=0
while read -r pkg; do
	nt=$((nt + 1))
	HOTMEM_SRC=$src bash -c '. "$0"; need_list "$1"' "$tests/need.sh" "$pkg" >/dev/null || unlisted+=" $pkg"
done < <(cd "$src" && grep -rhoE '(need|have)_tool +[^ ]+ +[a-z0-9.+-]+' tests --include=*.t --include=*.sh --exclude=need.sh --exclude=test-helpers.t |
	awk '{ print $3 }' | sort -u)
[ "$nt" -ge 3 ] && [ -z "$unlisted" ] && ok "every need_tool names a listed package ($nt)" ||
	notok "every need_tool names a package of scripts/deps/*.list ($nt found)" "unlisted:${unlisted:- none}"

# no test skips on a missing built program with `[ -x FILE ] || skip_all`
# (or `[ -f "$B/..." ] || skip`): make check builds them first, so there a
# missing one is a failure (need_built; need_tool for the machine's tools)
bad=$(cd "$src" && grep -rnE '\[ !? ?-x [^]]*\].*\|\| *skip|\[ -[fe] "?\$\{?(B|HOTMEM_BUILD)[/}"][^]]*\].*\|\| *skip' \
	tests --include=*.t --include=*.sh --exclude=need.sh --exclude=test-helpers.t | cut -d: -f1,2 | tr '\n' ' ')
[ -z "$bad" ] && ok "no test skips on a missing built program with [ -x ... ] || skip" ||
	notok "no test skips on a missing built program with [ -x ... ] || skip: use need_built (tests/need.sh)" "found: $bad"

# no two tests of a directory share a number: helpers working side by side
# each took the next free one, and a pair hides which one a report names
dup=$(cd "$src" && for d in tests/*/; do
	ls "$d" | sed -n "s|^\([0-9][0-9]*\)-.*\.t\$|$d\1|p" | sort | uniq -d
done | tr '\n' ' ')
nums=$(cd "$src" && ls tests/*/[0-9]*-*.t | wc -l)
[ "$nums" -ge 100 ] && [ -z "$dup" ] && ok "no two tests of a directory share a number ($nums numbered)" ||
	notok "no two tests of a directory share a number ($nums numbered)" "shared: ${dup:-none}"

# ---- make check's end: scripts/test-exec.sh keeps each file's TAP,
# stderr and exit status, scripts/failures.sh prints each failed file's
# "not ok" lines with their diagnostics and its stderr's end, last (the
# end of a CI log is what a person sees of it)
fl=$(mktemp -d)
export HOTMEM_TEST_LOGS=$fl
printf '%s\n' '#!/bin/bash' 'echo "1..2"; echo "ok 1 - fine"; echo "not ok 2 - broken"; echo "# got: 3"' \
	'echo "why it broke" >&2; exit 1' > "$fl/t1"
printf '%s\n' '#!/bin/bash' 'echo "1..1"; echo "ok 1 - fine"; echo "quiet" >&2' > "$fl/t2"
printf '%s\n' '#!/bin/bash' 'echo "1..1"; echo "not ok 1 - later # TODO not yet"' > "$fl/t3"
# a helper a test leaves running with its stderr (tests/enable_uring.sh's
# hold): test-exec.sh ends with the test, not with the helper
printf '%s\n' '#!/bin/bash' 'echo "1..1"; sleep 60 >/dev/null & echo $! > "$0.pid"; echo "ok 1 - left a helper"' > "$fl/t4"
# ... and one left holding its stdout (a `cmd &` without >/dev/null)
printf '%s\n' '#!/bin/bash' 'echo "1..1"; sleep 60 & echo $! > "$0.pid"; echo "ok 1 - left a helper on stdout"' > "$fl/t5"
chmod +x "$fl"/t1 "$fl"/t2 "$fl"/t3 "$fl"/t4 "$fl"/t5
"$src/scripts/test-exec.sh" "$fl/t1" > /dev/null 2>&1
rc1=$?
for t in t2 t3; do "$src/scripts/test-exec.sh" "$fl/$t" > /dev/null 2>&1; done
# its stderr read through a pipe kept the caller waiting for the helper
# (60 s here; 10 min in make check): a hang bound, not a timing
# (its reader, as prove, sees the end of both outputs)
timeout 20 bash -c '"$1" "$2" 2>&1 | cat > /dev/null' _ "$src/scripts/test-exec.sh" "$fl/t4"
t4=$?
kill "$(cat "$fl/t4.pid" 2>/dev/null)" 2>/dev/null
[ "$t4" = 0 ] && ok "test-exec.sh ends with its test, not with a helper the test left holding its stderr" ||
	notok "test-exec.sh ends with its test, not with a helper the test left holding its stderr" "exit $t4 (124: still waiting after 20 s)"
# its stdout read through a pipe (tee, prove) kept prove waiting for the
# helper (reread20 G2): prove itself runs it here, its verdict read
mkdir "$fl/t5.logs" # its own: failures.sh reads $fl below
pout=$(HOTMEM_TEST_LOGS=$fl/t5.logs timeout 20 prove --exec "$src/scripts/test-exec.sh" "$fl/t5" 2>&1)
t5=$?
kill "$(cat "$fl/t5.pid" 2>/dev/null)" 2>/dev/null
[ "$t5" = 0 ] && [[ $pout == *"Result: PASS"* ]] &&
	ok "prove ends with a test, not with a helper the test left holding its stdout, and passes it" ||
	notok "prove ends with a test, not with a helper the test left holding its stdout, and passes it" \
		"exit $t5 (124: still waiting after 20 s)" "$pout"
unset HOTMEM_TEST_LOGS
fout=$("$src/scripts/failures.sh" "$fl")
expect "test-exec.sh keeps a file's exit status ($rc1) and stderr" '^1 why it broke$' \
	"$rc1 $(cat "$fl/${fl//\//%}%t1.err" 2>/dev/null)"
expect "failures.sh names a failed file with its not ok line, its diagnostic and its stderr" \
	$'FAILED .*/t1 \\(exit status 1\\)\n  not ok 2 - broken\n  # got: 3\n  -- the end of its stderr:\n  why it broke\nmake check: 1 test file' "$fout"
[[ $fout != *"/t2 (exit"* && $fout != *"/t3 (exit"* ]] && ok "failures.sh leaves out a passing file and a TODO" ||
	notok "failures.sh leaves out a passing file and a TODO" "$fout"
# a file prove fails for its plan alone (exit 0, no not ok): named too (reread20 G1)
printf '1..3\nok 1 - a\n' > "$fl/bad.tap"; echo 0 > "$fl/bad.rc"
printf 'ok 1 - a\n' > "$fl/none.tap"; echo 0 > "$fl/none.rc"
fout=$("$src/scripts/failures.sh" "$fl")
[[ $fout == *"FAILED bad (exit status 0)"*"bad plan: 3 planned, 1 ran"* &&
	$fout == *"FAILED none (exit status 0)"*"no TAP plan"* ]] &&
	ok "failures.sh names a file exiting 0 with a bad or no plan" ||
	notok "failures.sh names a file exiting 0 with a bad or no plan" "$fout"
rm -rf "$fl"

echo "1..$n"
