#!/bin/bash
# hotmemctl explain and the failed offline's hints say what really stops
# the block:
# - a block whose movable pages have nowhere to migrate to (the guest is
#   full): explain said "should go offline: N movable pages migrate", the
#   offline looped to EINTR and its hint sent the user back to explain
#   (usereye3 #32); now "loops until a signal ... only ~M free pages
#   elsewhere (free memory first)", verdict eintr-no-free;
# - an offline refused by an injected MEM_GOING_OFFLINE error: the hint
#   (dmesg, hotmemfs's stderr) sent the user to explain, which had nothing
#   in the way; now it names the notifier and how to clear it, and explain
#   shows the armed injection (usereye3 #37);
# - an offline block that cannot come online (EHWPOISON, a poisoned page):
#   explain said "already offline: nothing to explain" (usereye3 #35).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }
J() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(*[d[k] for k in sys.argv[1:]])' "$@"; }

cat >"$TMP/p.profile" <<'PROF'
profile = qemu-512m
name = explain-why
memory_failure = yes
PROF
mount_fs "hotmemfs mounts qemu-512m with memory_failure" --profile "$TMP/p.profile" --fresh \
	--cmdline "memhp_default_state=offline"
ctl device_add pc-dimm size=1G id=d1 >/dev/null &&
	for b in 32 33 34 35 36 37 38 39; do ctl online "$b" online_movable || exit 1; done
tap_ok $? "a 1G DIMM, memory32-39 online_movable"

# the guest full: the movable pages of memory32 have nowhere to go
free=$(awk '$1 == "MemFree:" {print $2}' "$MNT/proc/meminfo")
ctl alloc movable $(((free - 4096) / 4)) >/dev/null
tap_ok $? "movable pages allocated up to 4 MiB of MemFree"
ctl --json explain 32 >"$TMP/full.json" && ctl explain 32 >"$TMP/full.txt"
read -r verdict mov tgt < <(J verdict movable_pages free_target_pages <"$TMP/full.json")
[ "$verdict" = eintr-no-free ] && [ "$mov" -gt "$tgt" ]
tap_ok $? "--json: verdict eintr-no-free, $mov movable pages, $tgt free pages to migrate into"
grep -qxF "offline: loops until a signal (EINTR, \"signal backoff\"): $mov movable pages must migrate, only ~$tgt free pages elsewhere (free memory first)" "$TMP/full.txt"
tap_ok $? "text: $(grep '^offline:' "$TMP/full.txt")"
ctl offline 32 timeout=500 2>"$TMP/off.err"
[ $? -ne 0 ] && grep -q "interrupted" "$TMP/off.err"
tap_ok $? "... and the offline is interrupted, as explain said"
ctl free-all >/dev/null
is "$(ctl --json explain 32 | J verdict)" ok "free-all: memory32 should go offline"

# an injected MEM_GOING_OFFLINE error
ctl inject MEM_GOING_OFFLINE -16
tap_ok $? "inject MEM_GOING_OFFLINE -16"
is "$(ctl --json explain 33 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["verdict"], d["notifier_error"]["MEM_GOING_OFFLINE"])')" \
	"notifier -16" "explain: verdict notifier, the armed error"
ctl explain 33 | grep -qxF 'offline: fails with -16 ("notifier failure"): notifier-error-inject MEM_GOING_OFFLINE is -16; `hotmemctl inject MEM_GOING_OFFLINE 0` clears it'
tap_ok $? "explain's text names the injection and how to clear it"
is "$(W "$M/memory33/state" offline)" EBUSY "offline of memory33: EBUSY"
ctl dmesg | grep -qF 'hotmem: memory33: offline failed (-16): a memory notifier refused it: notifier-error-inject MEM_GOING_OFFLINE is -16; `hotmemctl inject MEM_GOING_OFFLINE 0` clears it'
tap_ok $? "dmesg's hint names the notifier"
! ctl dmesg | grep -q "memory33: offline failed.*sums up what is in the way"
tap_ok $? "... not explain's 'what is in the way'"
grep -qF 'hotmemfs: memory33: offline failed (Device or resource busy): a memory notifier refused it: notifier-error-inject MEM_GOING_OFFLINE is -16; `hotmemctl inject MEM_GOING_OFFLINE 0` clears it' "$TMP/hotmemfs.log" &&
	! grep -q "memory33: offline failed.*sums up" "$TMP/hotmemfs.log"
tap_ok $? "hotmemfs's stderr line names the notifier, not explain"
ctl offline 33 2>"$TMP/ctl.err"
grep -qxF 'hotmemctl: error: memory33: offline failed: Device or resource busy: a memory notifier refused it: notifier-error-inject MEM_GOING_OFFLINE is -16; `hotmemctl inject MEM_GOING_OFFLINE 0` clears it' "$TMP/ctl.err"
tap_ok $? "hotmemctl offline's error names the notifier: $(cat "$TMP/ctl.err")"
ctl inject MEM_GOING_OFFLINE 0 && W "$M/memory33/state" offline >/dev/null
is "$(cat "$M/memory33/state")" offline "cleared: memory33 goes offline"

# a poisoned page: the block goes offline, not online again
pfn=$((0x100000000 / 4096 + 2 * 32768 + 16))
is "$(W "$M/hard_offline_page" "$(printf '%#x' $((pfn * 4096)))")" ret=11 "hard_offline_page of a free page of memory34"
is "$(W "$M/memory34/state" offline)" ret=7 "memory34 goes offline"
is "$(W "$M/memory34/state" online_movable)" 133 "... but not online again: EHWPOISON"
ctl --json explain 34 >"$TMP/hw.json" && ctl explain 34 >"$TMP/hw.txt"
is "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["verdict"], d["hwpoison_pages"], *d["hwpoison_pfns"])' <"$TMP/hw.json")" \
	"ehwpoison 1 $(printf '%#x' $pfn)" "--json: verdict ehwpoison, the poisoned page's pfn"
grep -qxF "online: refused with EHWPOISON (memblk_nr_poison()): 1 poisoned page (pfn $(printf '%#x' $pfn)); the block comes back only after its memory is removed and plugged again" "$TMP/hw.txt"
tap_ok $? "text: $(sed -n 2p "$TMP/hw.txt")"
is "$(ctl explain 33 | sed -n 2p)" "already offline: nothing to explain" "an offline block with nothing in the way: as before"
ctl inject MEM_GOING_ONLINE -12
is "$(ctl explain 33 | sed -n 2p)" 'online: fails with -12: notifier-error-inject MEM_GOING_ONLINE is -12; `hotmemctl inject MEM_GOING_ONLINE 0` clears it' \
	"an armed MEM_GOING_ONLINE error: explain of an offline block names it"
is "$(ctl --json explain 33 | J verdict)" notifier "... verdict notifier"
ctl inject MEM_GOING_ONLINE 0
done_testing
