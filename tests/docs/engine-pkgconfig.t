#!/bin/bash
# `make install` installs libhotmem.a's pkg-config file, hotmem.pc, for its
# PREFIX (usereye8 5e): nothing said how to link the installed library,
# and `-lhotmem` alone fails with "undefined reference to sqrt".  The
# file, installed as `make install` installs it (its install-pc target,
# into a DESTDIR), gives a program's compile and link flags:
# `cc prog.c $(pkg-config --cflags --libs hotmem)` builds and boots a machine.
. "$(dirname "$0")/lib.sh"
CC=${CC:-cc}
if ! command -v pkg-config >/dev/null || ! command -v make >/dev/null || ! command -v "$CC" >/dev/null ||
	[ ! -e "$B/libhotmem.a" ]; then
	skip_check "hotmem.pc" "no pkg-config, make, $CC or $B/libhotmem.a"
	echo "1..$n"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
make -s -C "$src" install-pc DESTDIR="$T" PREFIX=/usr >"$T/make.out" 2>&1
if [ -f "$T/usr/lib/pkgconfig/hotmem.pc" ]; then
	ok "make install-pc DESTDIR PREFIX=/usr: /usr/lib/pkgconfig/hotmem.pc"
else
	notok "make install-pc DESTDIR PREFIX=/usr: /usr/lib/pkgconfig/hotmem.pc" "$(cat "$T/make.out")"
	echo "1..$n"
	exit 1
fi
# the rest of make install's layout for it (Makefile: libhotmem.a, the headers)
mkdir -p "$T/usr/include/hotmem"
install -m 0644 "$src/engine/hotmem.h" "$src/engine/hotmem_probes.h" "$T/usr/include/hotmem/"
install -m 0644 "$B/libhotmem.a" "$T/usr/lib/"
export PKG_CONFIG_SYSROOT_DIR=$T PKG_CONFIG_PATH=$T/usr/lib/pkgconfig PKG_CONFIG_LIBDIR=$T/usr/lib/pkgconfig
flags=$(pkg-config --cflags --libs hotmem 2>&1)
ver=$(sed -n 's/^#define HMU_VERSION "\(.*\)"$/\1/p' "$src/engine/uapi/hm_version.h")
if [ "$(pkg-config --modversion hotmem 2>&1)" = "$ver" ] && grep -q -- "-lhotmem -lm -pthread" <<<"$flags"; then
	ok "pkg-config: version $ver, flags $flags"
else
	notok "pkg-config: version $ver, -lhotmem -lm -pthread" "$(pkg-config --modversion hotmem 2>&1); $flags"
fi
cp "$src/tests/docs/engine_prog.c" "$T/prog.c"
san=()
[ -n "${SANITIZE:-}" ] && san=(-fsanitize="$SANITIZE")
read -r -a fl <<<"$flags"
if out=$(cd "$T" && "$CC" -std=gnu11 -Wall -Werror "${san[@]}" prog.c "${fl[@]}" -o prog 2>&1) &&
	grep -qE '^booted: [0-9]+ blocks$' <<<"$("$T/prog" 2>&1)"; then
	ok "cc prog.c \$(pkg-config --cflags --libs hotmem): links and boots a machine"
else
	notok "cc prog.c \$(pkg-config --cflags --libs hotmem): links and boots a machine" "$(head -5 <<<"$out")"
fi
echo "1..$n"
