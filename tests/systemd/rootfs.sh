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

# rootfs_umount_tmp: whatever an older debootstrap, run before its mount
# namespace, left mounted under $rootfs.tmp, deepest first
rootfs_umount_tmp() {
	local m
	awk -v t="$rootfs.tmp" 'index($5, t "/") == 1 {print $5}' /proc/self/mountinfo |
		sort -r | while read -r m; do umount -l "$m"; done
}

rootfs_build() { # CACHE
	local mirror
	mirror=$(sed -n 's/^URIs: *\([^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
	[ -n "$mirror" ] || mirror=$(awk '/^deb / && $2 ~ /debian$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
	[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
	rootfs_umount_tmp
	rm -rf "$rootfs.tmp"
	# in a mount namespace of its own: debootstrap mounts proc (and sys)
	# in the target, and a build killed half-way (a CI stopped) left that
	# proc mounted under the checkout, where the next rm -rf met it
	unshare --mount --propagation private \
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
