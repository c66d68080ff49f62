#!/bin/bash
# A hard_offline_page write retires a page for good (the kernel has no
# unpoison but hwpoison-inject's debugfs): its "set" record carries the
# state file's "hwpoison" (state.c retired_json()), whose entries and
# fields went in unchecked and were written null (vfix43), fixed by
# 6b617334 (json43) but not tested: a sweep aborted hotmemfs at its
# first allocation, in refresh_stale(), before it reached them.
# alloc_shim.so fails the write's Nth malloc() of $SIZES bytes (48:
# json-c 0.16's objects and arrays; SIZES="48 56" adds its numbers and
# short strings, twice as long), N = 1, 2, ... until one is past the
# write's last (180 at 6aebff32, 218 at 99a1f27f), each on a fresh machine (every retired page is in
# each "hwpoison" made: on one machine the sweep never ends): the write
# is done and saved with no null and the page in "hwpoison", or refused
# with the journal as it was -- hotmemfs then takes no more changes (a
# retirement not saved) -- and a restart after kill -9 has the page not
# retired, HardwareCorrupted as before it.  hotmemfs alive throughout.
# Without the fix of state.c probed_json() (nomem44), checks 3 and 5
# fail: hotmemfs aborted at N = 159 in json_object_array_add() on its
# unmade array; without refresh_stale()'s (0b2e97b9), at N = 1 (json43).
# About 2-5 minutes (180 fresh machines).
. "$(dirname "$0")/lib.sh"
nomem_setup
SIZES=${SIZES:-48}
mf_profile

# the records after line $1: "ok" if none has a null and the last "set"'s
# "hwpoison" has pfn $2 hard; else what is wrong
records_after() {
	after_records "$1" '
sets = [r["set"] for r in rs if "hwpoison" in r.get("set", {})]
if any(null(r) for r in rs):
    print("null")
elif not sets or not any(isinstance(e, dict) and e.get("pfn") == int(sys.argv[1]) and e.get("hard")
                         for e in sets[-1]["hwpoison"]):
    print("no-entry")
else:
    print("ok")' "$2"
}
# a fresh machine with memory64 probed and online: every retired page
# is in each "hwpoison" made, so a sweep on one machine never ends
fresh() {
	[ -z "$FS_PID" ] || kill9_fs
	rm -f "$STATE" "$STATE.journal"
	LD_PRELOAD=$TMP/alloc_shim.so start_fs_netns "${OPTS[@]}" --fresh &&
		echo 0x200000000 >"$M/probe" && echo online_movable >"$M/memory64/state"
}

fresh
tap_ok $? "hotmemfs mounts a machine with probe and memory_failure (alloc_shim.so), memory64 online"
total=0 refused=0 bad= pfn=$((0x200005))
for sz in $SIZES; do
	n=0
	while [ "$n" -lt 400 ]; do
		n=$((n + 1))
		[ "$n" -eq 1 ] || fresh || { bad+=" $sz/$n:start"; break 2; }
		lines=$(journal_text | wc -l)
		sum=$(journal_text | md5sum)
		hw=$(hwc)
		echo "malloc $n $sz" >"$TMP/malloc"
		r=$(W "$M/hard_offline_page" "$(printf '0x%x' $((pfn << 12)))")
		untaken=
		[ -e "$TMP/malloc" ] && untaken=1 && rm -f "$TMP/malloc"
		if ! kill -0 "$FS_PID" 2>/dev/null; then
			bad+=" $sz/$n:dead"
			break 2
		fi
		if [ "$r" = ret=11 ]; then
			s=$(records_after "$lines" "$pfn")
			[ "$s" = ok ] && [ "$(hwc)" = $((hw + 4)) ] || bad+=" $sz/$n:$s"
			[ -z "$untaken" ] || break # past the write's last
			total=$((total + 1))
			continue
		fi
		total=$((total + 1)) refused=$((refused + 1))
		[ "$(journal_text | md5sum)" = "$sum" ] || bad+=" $sz/$n:changed($r)"
		kill9_fs
		LD_PRELOAD=$TMP/alloc_shim.so start_fs_netns "${OPTS[@]}" || { bad+=" $sz/$n:restart"; break 2; }
		[ "$(hwc)" = "$hw" ] || bad+=" $sz/$n:hwc($(hwc) for $hw)"
	done
	[ "$n" -lt 400 ] || bad+=" $sz:endless"
done
[ "$total" -gt 10 ]
tap_ok $? "the write's allocations ($SIZES bytes) failed in turn: $total of them, $refused refused it"
is "${bad:- none}" " none" "... each done and saved with its page in \"hwpoison\" (no null), or refused with nothing saved and the page back after a restart; hotmemfs alive"
expect=$(snapshot)
kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "kill -9, restart from the state file"
same_text "$(snapshot)" "$expect" "... the same machine"
done_testing
