# The kernel's memory-hotplug selftest script, from the kernel source
# Debian ships (linux-source-*), extracted once into $B/selftest.
# selftest_script: prints its path, or says on stderr why there is none
# (exit 1): the caller skips with that reason.
selftest_script() {
	local script=$B/selftest/mem-on-off-test.sh tarball top
	if [ ! -s "$script" ]; then
		tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1)
		if [ -z "$tarball" ]; then
			echo "no /usr/src/linux-source-*.tar.xz (apt-get install linux-source-6.1)" >&2
			return 1
		fi
		mkdir -p "$B/selftest"
		top=$(basename "$tarball" .tar.xz)
		tar -xJf "$tarball" -O "$top/tools/testing/selftests/memory-hotplug/mem-on-off-test.sh" \
			>"$script.tmp.$$" 2>/dev/null && mv "$script.tmp.$$" "$script"
		rm -f "$script.tmp.$$"
		if [ ! -s "$script" ]; then
			echo "mem-on-off-test.sh not found in $tarball" >&2
			return 1
		fi
	fi
	echo "$script"
}

# fail_all REASON: what make check installs or builds (linux-source-6.1
# from scripts/deps/selftest-test.list, the programs) is missing: a
# failure under make check or CI, every check skipped by hand
# (tests/need.sh need_plan_skip)
. "$(dirname "${BASH_SOURCE[0]}")/../need.sh"
fail_all() { need_plan_skip "$plan" "$1"; }
