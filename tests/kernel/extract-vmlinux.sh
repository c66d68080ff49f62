#!/bin/sh
# extract-vmlinux.sh VMLINUZ OUT: the ELF vmlinux inside a bzImage, for
# its BTF (bpftool btf dump file OUT).  Debian's 6.12 compresses it with
# zstd, 6.1 with xz; like the kernel's scripts/extract-vmlinux, try each
# compressor's magic and keep the first payload that decompresses to ELF.
set -u
in=$1
out=$2
missing=
try() {	# magic-as-grep-pattern decompress-command
	offs=$(LC_ALL=C grep -obUaP "$1" "$in" | cut -d: -f1)
	# a payload whose decompressor is not installed: say which, not "no
	# vmlinux found" (reread39 R3)
	if [ -n "$offs" ] && ! command -v "${2%% *}" >/dev/null 2>&1; then
		missing="$missing ${2%% *}"
		return 1
	fi
	for off in $offs; do
		tail -c +$((off + 1)) "$in" | $2 > "$out" 2>/dev/null
		[ "$(head -c 4 "$out" | od -An -c | tr -d ' ')" = "177ELF" ] && return 0
	done
	return 1
}
try '\x28\xb5\x2f\xfd' "zstd -dcq" || try '\xfd\x37\x7a\x58\x5a\x00' "xz -dcq" ||
	try '\x1f\x8b\x08' "gzip -dcq" || {
	rm -f "$out"
	if [ -n "$missing" ]; then
		echo "$in: no vmlinux found: its payload needs${missing}, not installed (scripts/deps.sh installs it)" >&2
	else
		echo "$in: no vmlinux found" >&2
	fi
	exit 1
}
