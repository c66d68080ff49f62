#!/bin/bash
# daemon/hotmemd.catalog, hotmemd's journal message catalog (usereye4 #24):
# one entry per MESSAGE_ID of daemon/hotmemd.h, each with a Subject and
# what to do, and systemd's own parser takes it: `journalctl --root=<tmp>
# --update-catalog` builds the database and --list-catalog/--dump-catalog
# read every entry back.  tests/systemd/10-nspawn.t sees `journalctl -x`
# print the Subject under a real entry.
. "$(dirname "$0")/lib.sh"
need_tool journalctl systemd
cat=$HOTMEM_SRC/daemon/hotmemd.catalog
ids=$(sed -n 's/^#define HMD_MSGID_[A-Z_]* "\([0-9a-f]\{32\}\)"$/\1/p' "$HOTMEM_SRC/daemon/hotmemd.h" | sort)
[ "$(wc -w <<<"$ids")" -ge 8 ] && ok "daemon/hotmemd.h: $(wc -w <<<"$ids") MESSAGE_IDs" ||
	nok "daemon/hotmemd.h: MESSAGE_IDs found ($(wc -w <<<"$ids"))"
is "$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' "$cat" | sort | tr '\n' ' ')" "$(tr '\n' ' ' <<<"$ids")" \
	"the catalog has one entry per MESSAGE_ID, none else"

root=$TMP/root
mkdir -p "$root/usr/local/lib/systemd/catalog" "$root/var/lib/systemd/catalog"
cp "$cat" "$root/usr/local/lib/systemd/catalog/"
check "journalctl --update-catalog parses it" journalctl --root="$root" --update-catalog
journalctl --root="$root" --list-catalog >"$TMP/list" 2>&1
listed=$(awk '{ print $1 }' "$TMP/list" | sort | tr '\n' ' ')
is "$listed" "$(tr '\n' ' ' <<<"$ids")" "--list-catalog: every MESSAGE_ID"
for id in $ids; do
	journalctl --root="$root" --dump-catalog "$id" >"$TMP/e" 2>&1
	check "$id: $(sed -n 's/^Subject: //p' "$TMP/e"): Subject, Documentation, a text" \
		bash -c "grep -q '^Subject: ..' '$TMP/e' && grep -q '^Documentation: man:hotmemd(8)' '$TMP/e' &&
			[ \"\$(sed '1,/^\$/d' '$TMP/e' | wc -w)\" -ge 20 ]"
done
# reread36 R7: 6.12 never answers a write with the device hotplug lock
# held elsewhere (lock_device_hotplug_sysfs() restarts it): no entry sends
# the admin after that lock's holder
check "no entry blames EBUSY on a hotplug lock held elsewhere" \
	bash -c "! grep -qiE 'hotplug lock held|holds the memory hotplug lock|what holds the memory hotplug lock|often busy' '$cat'"
done_testing
