# tests/daemon/settle.sh: waiting for hotmemd's settle after a step's own
# uevents, from its debug log $log (sourced by 20, 90, 92).  Not a count of
# "uevents settled" lines: the settle of the burst before can come after
# the count was read and pass for this one (its late work then falls into
# the next step), and a settle's line comes before its listing.

# the number the log's next line will have
lines() { echo $(($(wc -l <"$log") + 1)); }
# quiet L N [ACTION]: hotmemd took memoryN's uevent (ACTION's, any when
# none; logged from line L on) and the settle 20 ms after the last uevent
# it took is over, its listing too.  A settle that looks again at the
# next one (missed.c, an ADD that may be on its way) is not the end.
quiet() {
	awk -v l="$1" -v b="memory$2: uevent ${3:-}" 'NR >= l && index($0, b) {seen = 1}
		/: uevent / {s = 0}
		/uevents settled: / {s = 1; busy = /rescanning memory\/|looked at again at the next settle/}
		/rescan after uevents: no new blocks|new block\(s\) without an ADD uevent/ {busy = 0}
		END {exit !(seen && s && !busy)}' "$log"
}
# settled L N [ACTION [SECONDS]]: waits for quiet L N ACTION (hotmemd's look
# after a burst, a rescan or not), 5 s at most unless SECONDS
settled() { wait_for "${4:-5}" quiet "$1" "$2" "${3:-}"; }
# added L: the block of the first ADD hotmemd took from log line L on
added() { tail -n "+$1" "$log" | sed -n 's/.*memory\([0-9]*\): uevent add .*/\1/p' | head -n 1; }
