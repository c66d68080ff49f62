#!/bin/bash
# hotmemctl export -> hotmem profile --from-sysfs -> mount -> export keeps
# /proc/cmdline byte for byte when its words are quoted: the kernel's
# next_arg() strips a word's quotes to parse it, but saved_command_line,
# /proc/cmdline, keeps them, and so does the profile's cmdline line now.
# from-sysfs took the words as parsed: movablecore="256M" came back as
# movablecore=256M, and a note named dyndbg="file x +p" as dyndbg=file x +p.
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
cmdline_of() { sed -n 's/^cmdline = "\(.*\)"$/\1/p' "$TMP/$1.profile"; }
line='movablecore="256M" "hugepages=4" hotmem.kernel_alloc=off'

mount_fs "qemu-512m boots with $line" --fresh --profile qemu-512m --cmdline "$line"
is "$(cat "$MNT/proc/cmdline")" "$line" "proc/cmdline: the words as given, quotes and all"
is "$(cat "$MNT/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages") $(cat "$MNT/sys/devices/system/memory/memory3/valid_zones")" \
	"4 Movable" "... parsed as the kernel does: 4 huge pages, memory3 in ZONE_MOVABLE"
ctl export "$TMP/a" >/dev/null
tap_ok $? "exported"
stop_fs
"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/a.profile" 2>"$TMP/a.notes"; profile_notes "$TMP/a.profile" "$TMP/a.notes"
tap_ok $? "hotmem profile --from-sysfs"
is "$(cmdline_of a)" "$line" "... its cmdline line: the words as proc/cmdline spells them"
mount_fs "the profile mounts" --fresh --profile "$TMP/a.profile"
ctl export "$TMP/a2" >/dev/null
tap_ok $? "exported again"
stop_fs
cmp "$TMP/a/proc/cmdline" "$TMP/a2/proc/cmdline" >"$TMP/cmp.out" 2>&1
tap_ok $? "export -> from-sysfs -> mount -> export: proc/cmdline byte for byte $(cat "$TMP/cmp.out")"

# a word hotmem models none of is left out and named as the dump spells it
mkdir -p "$TMP/d"
cp -r "$TMP/a/." "$TMP/d"
printf '%s\n' 'console=ttyS0 dyndbg="file x +p" movablecore="256M" "hugepages=4"' >"$TMP/d/proc/cmdline"
"$HM" profile --from-sysfs "$TMP/d" -o "$TMP/d.profile" 2>"$TMP/d.notes"; profile_notes "$TMP/d.profile" "$TMP/d.notes"
grep -qF 'proc/cmdline: console=ttyS0 dyndbg="file x +p": hotmem models none of these, left out' "$TMP/d.notes"
tap_ok $? "dyndbg=\"file x +p\" named with its quotes ($(grep -o 'console=.*left out' "$TMP/d.notes" | head -1))"
is "$(cmdline_of d)" 'movablecore="256M" "hugepages=4"' "... and the words carried keep theirs"
done_testing
