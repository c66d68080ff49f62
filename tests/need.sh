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
# need_end_fail REASON: a failed check, and the test ends
need_end_fail() {
	nok "$1"
	done_testing
	exit 1
}

need_tool() {
	local tool=$1 pkg=$2 list
	if [[ $tool == */* ]]; then
		[ -x "$tool" ] && return 0
	else
		command -v "$tool" >/dev/null && return 0
	fi
	if ! list=$(need_list "$pkg"); then
		need_end_skip "$tool missing (package $pkg)"
	fi
	if need_strict || [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" = installed ]; then
		need_end_fail "$tool is there: $list installs $pkg (scripts/deps.sh check, run by make check)"
	fi
	need_end_skip "$tool missing: $list names $pkg (make deps installs it)"
}

# need_built FILE: a file the build makes (make all; make check builds it
# first): under make check or CI a missing one is a failure, else a skip
need_built() {
	[ -e "$1" ] && return 0
	need_strict && need_end_fail "$1 is built (make check builds it before the tests)"
	need_end_skip "$1 not built (make all)"
}
