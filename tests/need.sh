# shellcheck shell=bash
# need_tool TOOL PACKAGE: what a test needs from the machine, sourced by
# tests/fusefs/lib.sh and tests/daemon/lib.sh (their ok/nok/skip_all/
# done_testing).  A test needing what the machine lacks skips loudly, but
# nothing scripts/deps/*.list installs may skip where the lists were
# installed: under `make check` (its deps step ran scripts/deps.sh check;
# it exports HOTMEM_TEST_LOGS), under CI=true, or where dpkg says PACKAGE
# is installed, a missing TOOL is a failure that names the list.
#
# TOOL is a command on $PATH, or a path (/usr/bin/fusermount3) that must
# be executable.  Returns 0 when it is there; else the test ends here.
# have_tool TOOL PACKAGE NAME does the same for one check NAME, the test
# going on after it; need_built FILE for what `make all` builds.

# need_strict: the deps lists are installed (make check, CI)
need_strict() { [ "${CI:-}" = true ] || [ -n "${HOTMEM_TEST_LOGS:-}" ]; }

# need_list PACKAGE: the scripts/deps/*.list that names PACKAGE (the
# lists' form: comments after #, packages separated by blanks), or false
need_list() {
	local f src=${HOTMEM_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
	for f in "$src"/scripts/deps/*.list; do
		sed -e 's/#.*//' "$f" | tr -s ' \t' '\n' | grep -qxF -- "$1" && { echo "scripts/deps/${f##*/}"; return 0; }
	done
	return 1
}

# need_end_skip REASON: the test skips from here, loudly: the whole file
# when it has printed no check yet, else this check and the rest
need_end_skip() {
	if [ "${T_N:-${_n:-0}}" -eq 0 ]; then
		skip_all "$1"
	fi
	ok "# SKIP $1"
	done_testing
	exit
}
# need_end_fail REASON: a failed check, and the test ends.  A lib whose
# tests print their plan themselves, after asking for their tools, and
# whose done_testing prints none (tests/bpf/lib.sh, tests/kernel/tap.sh:
# need_plan_first=1, their count $n) gets the plan of what it printed here
need_end_fail() {
	nok "$1"
	if [ -n "${need_plan_first:-}" ]; then
		echo "1..$n"
		exit 1
	fi
	done_testing
	exit 1
}

# need_there TOOL: a command on $PATH, or an executable path
need_there() {
	if [[ $1 == */* ]]; then [ -x "$1" ]; else command -v "$1" >/dev/null; fi
}
# need_must PACKAGE: PACKAGE is in a deps list ($need_from: which) and
# those lists were installed here (make check, CI, or dpkg has PACKAGE)
need_must() {
	need_from=$(need_list "$1") || { need_from=; return 1; }
	need_strict || [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

need_tool() {
	local tool=$1 pkg=$2
	need_there "$tool" && return 0
	need_must "$pkg" &&
		need_end_fail "$tool is there: $need_from installs $pkg (scripts/deps.sh check, run by make check)"
	[ -n "$need_from" ] && need_end_skip "$tool missing: $need_from names $pkg (make deps installs it)"
	need_end_skip "$tool missing (package $pkg)"
}

# have_tool TOOL PACKAGE NAME: for one check NAME needing TOOL, the test
# going on after it: true when TOOL is there; else false, NAME printed as
# a failed check where need_tool would fail, as a skipped one elsewhere
have_tool() {
	need_there "$1" && return 0
	if need_must "$2"; then
		nok "$3 ($1 is not there: $need_from installs $2)"
	else
		ok "$3 # SKIP $1 missing (package $2${need_from:+, in $need_from: make deps})"
	fi
	return 1
}

# need_file FILE: a file of the source tree (a fixture, a capture): one
# that is not there is a broken checkout (or HOTMEM_REFERENCE pointing
# nowhere), never the machine's lack: a failure, by hand too
need_file() {
	[ -f "$1" ] && return 0
	need_end_fail "$1 is there (a file of the source tree)"
}

# need_plan_skip N REASON: for a test that printed its plan 1..N first
# (and no check yet): under make check or CI, check 1 fails with REASON
# and the rest skip (exit 1); by hand, all N skip with REASON (exit 0)
need_plan_skip() {
	local i n=$1
	if need_strict; then
		echo "not ok 1 - $2 (make check installs and builds what this test needs)"
		for ((i = 2; i <= n; i++)); do echo "ok $i # SKIP the test did not run"; done
		exit 1
	fi
	for ((i = 1; i <= n; i++)); do echo "ok $i # SKIP $2"; done
	exit 0
}

# need_whole_skip REASON: need_plan_skip for a test that printed nothing
# yet, no lib of its own: "1..0 # SKIP REASON" by hand, a failed check
# under make check or CI
need_whole_skip() {
	if need_strict; then
		printf 'not ok 1 - %s (make check installs and builds what this test needs)\n1..1\n' "$1"
		exit 1
	fi
	echo "1..0 # SKIP $1"
	exit 0
}

# need_built FILE: a file the build makes (make all; make check builds it
# first): under make check or CI a missing one is a failure, else a skip
need_built() {
	[ -e "$1" ] && return 0
	need_strict && need_end_fail "$1 is built (make check builds it before the tests)"
	need_end_skip "$1 not built (make all)"
}

# sanitizer_runtime BINARY: the path of the sanitizer runtime BINARY
# loads (libasan, libtsan, liblsan), nothing for a plain build
sanitizer_runtime() { ldd "$1" | awk '$1 ~ /^lib(asan|tsan|lsan)[.]so/ { print $3; exit }'; }

# need_preload_shim NAME BINARY: tests/reliability/NAME.c, an LD_PRELOAD
# shim of BINARY's libc calls, built into $TMP/NAME.so (build_preload_shim):
# a skip for a sanitized BINARY (the shim would bypass the sanitizer's own
# calls)
need_preload_shim() {
	[ -z "$(sanitizer_runtime "$2")" ] ||
		need_end_skip "a sanitized ${2##*/}: $1.so would bypass the sanitizer's own calls"
	build_preload_shim "$1"
}
# build_preload_shim NAME: tests/reliability/NAME.c built into $TMP/NAME.so;
# one that does not build is a failure where the compiler must be there
# (make check, CI), else a skip
build_preload_shim() {
	"${CC:-cc}" -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -fPIC -shared \
		"$HOTMEM_SRC/tests/reliability/$1.c" -o "$TMP/$1.so" -ldl 2>"$TMP/cc.err" && return 0
	need_strict && need_end_fail "$1.so builds (make check has the compiler): $(head -1 "$TMP/cc.err")"
	need_end_skip "cannot build $1.so: $(head -1 "$TMP/cc.err")"
}
