#!/bin/sh
# extract-vmlinux.sh VMLINUZ OUT: the ELF vmlinux inside a bzImage, for
# its BTF (bpftool btf dump file OUT).  Debian's 6.12 compresses it with
# zstd, 6.1 with xz; like the kernel's scripts/extract-vmlinux, try each
# compressor's magic and keep the first payload that decompresses to ELF.
set -u
in=$1
out=$2
try() {	# magic-as-grep-pattern decompress-command
	for off in $(LC_ALL=C grep -obUaP "$1" "$in" | cut -d: -f1); do
		tail -c +$((off + 1)) "$in" | $2 > "$out" 2>/dev/null
		[ "$(head -c 4 "$out" | od -An -c | tr -d ' ')" = "177ELF" ] && return 0
	done
	return 1
}
try '\x28\xb5\x2f\xfd' "zstd -dcq" || try '\xfd\x37\x7a\x58\x5a\x00' "xz -dcq" ||
	try '\x1f\x8b\x08' "gzip -dcq" || { rm -f "$out"; echo "$in: no vmlinux found" >&2; exit 1; }
