# shellcheck shell=bash
# Sourced by tests/systemd/10-nspawn.t and tests/reliability/crash.t (after
# tests/daemon/lib.sh, for skip_all): the Debian both boot with
# systemd-nspawn -b, debootstrapped once and cached in tests/systemd/cache/.
#
# rootfs_get: sets $rootfs; takes the cache's lock on fd 9 and keeps it
# until the test exits (one user of the rootfs at a time); builds the
# rootfs when it is missing or was built with other packages; skip_all when
# it cannot.
ROOTFS_INCLUDE=systemd,dbus,systemd-sysv,libinih1,fuse3,libjson-c5,liburing2

rootfs_build() { # CACHE
	local mirror
	mirror=$(sed -n 's/^URIs: *\([^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
	[ -n "$mirror" ] || mirror=$(awk '/^deb / && $2 ~ /debian$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
	[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
	rm -rf "$rootfs.tmp"
	debootstrap --variant=minbase --include="$ROOTFS_INCLUDE" \
		bookworm "$rootfs.tmp" "$mirror" >"$1/debootstrap.log" 2>&1 || return 1
	echo "$ROOTFS_INCLUDE" >"$rootfs.tmp/.hotmem-include"
	rm -rf "$rootfs"
	mv "$rootfs.tmp" "$rootfs"
}

rootfs_get() {
	local cache=$HOTMEM_SRC/tests/systemd/cache
	rootfs=$cache/rootfs
	mkdir -p "$cache"
	exec 9>"$cache/.lock"
	flock 9
	[ "$(cat "$rootfs/.hotmem-include" 2>/dev/null)" = "$ROOTFS_INCLUDE" ] && return 0
	need_tool debootstrap debootstrap	# builds the cached rootfs
	echo "# building the cached Debian rootfs (once; about 40 s)"
	rootfs_build "$cache" && return 0
	tail -5 "$cache/debootstrap.log" | sed 's/^/# /'
	skip_all "debootstrap failed (no Debian mirror?)"
}
