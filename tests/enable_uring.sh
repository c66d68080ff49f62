# shellcheck shell=bash
# fuse's enable_uring parameter (/sys/module/fuse/parameters/enable_uring)
# is the whole host's: a test or a bench that sets it shares it with every
# run beside it (prove -j2, another worktree's make check, an io_uring run
# of the suite).  Every one takes it through this helper, so that two runs
# side by side both work and the value found is put back once, by the
# last user:
#   - the users lock, /run/lock/hotmem-enable-uring.lock: each holder has
#     it shared (flock LOCK_SH) for as long as it uses the value; a test
#     from before this helper takes it exclusive for its whole run, and
#     the two wait for each other;
#   - a short mutex, /run/lock/hotmem-enable-uring.mutex, around "am I the
#     first (or the last) holder?";
#   - /run/lock/hotmem-enable-uring.saved: "OLD HELD", the value to put
#     back and the value held.  The first holder writes it (or, left by a
#     last holder killed with -9, reads its OLD from it) and sets HELD;
#     the next ones join when they want the same value and wait (up to
#     their WAIT seconds, then refuse) when they want another; the last
#     one writes OLD back and removes the file.
# The holder is a process of its own (this file run as `enable_uring.sh
# hold VALUE [WAIT]`): it prints "held VALUE was OLD" or "refused: WHY"
# and then holds until SIGTERM, SIGINT or SIGHUP -- and, started by
# enable_uring_hold (or by bench_hotmemfs), it gets SIGTERM when its
# parent dies (PR_SET_PDEATHSIG), so a test killed with -9 still puts the
# value back.
#
# Sourced (tests/fusefs/16x-*.t, 23-floor-uring.t):
#   enable_uring_hold VALUE [WAIT]  0 once held (ENABLE_URING_OLD: the
#       value before the first holder); 1 with ENABLE_URING_WHY for the
#       test's `skip_all "$ENABLE_URING_WHY"`.  Call it from the test's own
#       shell (not from a $(...)): the holder ends with its parent.  Called
#       again for the value this shell holds, it counts (one release each).
#   enable_uring_release  the hold ended (bounded); the value put back if
#       this was the last holder.  A test's exit does it too.
#   enable_uring_seen_as VALUE CMD...  (below) a refusal of N checked
#       without setting N on the host.
# HOTMEM_ENABLE_URING_PARAM and HOTMEM_ENABLE_URING_LOCKDIR point it at a
# stand-in file and lock directory (tests/fusefs/195-enable-uring-shared.t).

ENABLE_URING_SH=${BASH_SOURCE[0]}

eu_param() { echo "${HOTMEM_ENABLE_URING_PARAM:-/sys/module/fuse/parameters/enable_uring}"; }
# /run/lock, or /tmp where there is none (a container): every run on a host agrees
eu_dir() {
	local d=${HOTMEM_ENABLE_URING_LOCKDIR:-/run/lock}
	[ -d "$d" ] && [ -w "$d" ] || d=/tmp
	echo "$d"
}

# the holder's refusal: said on stdout, exit 1 (its locks go with it)
eu_refuse() {
	echo "refused: $*"
	exit 1
}

# holder: the value to put back and the one held, when held ("OLD HELD")
eu_saved() { echo "$(eu_dir)/hotmem-enable-uring.saved"; }

# holder, under the mutex (fd 8) with nobody else on the users lock (fd 9
# exclusive): record the value to put back and set @1; then share fd 9
eu_first() {
	local want=$1 saved old _
	saved=$(eu_saved)
	if [ -s "$saved" ]; then
		# a last holder killed with -9 did not put it back: its OLD is the one
		read -r old _ <"$saved"
	else
		old=$(<"$(eu_param)")
	fi
	echo "$old $want" >"$saved.new" && mv -f "$saved.new" "$saved" || return 1
	if ! echo "$want" >"$(eu_param)"; then
		rm -f "$saved"
		return 1
	fi
	EU_OLD=$old
	# shared now: the next holders join (a conversion, under the mutex)
	flock -s -w 60 9
}

# holder: take the users lock shared for @1, waiting up to @2 s for
# holders of another value (or a test from before this helper) to end
eu_take() {
	local want=$1 wait=$2 deadline held old saved
	saved=$(eu_saved)
	deadline=$((SECONDS + wait))
	while :; do
		flock -w 60 8 || eu_refuse "$(eu_dir)/hotmem-enable-uring.mutex held 60 s by another run"
		if flock -n -x 9; then
			eu_first "$want" || eu_refuse "cannot set $(eu_param) to $want (or write $saved)"
			break
		fi
		held='' old=''
		[ -s "$saved" ] && read -r old held <"$saved"
		if [ "$held" = "$want" ] && flock -n -s 9; then
			EU_OLD=$old
			# someone outside this helper may have changed it meanwhile
			[ "$(<"$(eu_param)")" = "$want" ] || echo "$want" >"$(eu_param)"
			break
		fi
		flock -u 8
		[ "$SECONDS" -lt "$deadline" ] ||
			eu_refuse "$(eu_param) is held ${held:+at $held }by another run for over $wait s" \
				"(lslocks | grep hotmem-enable-uring names it)"
		sleep 1
	done
	flock -u 8
}

# holder: the hold ends; the last holder puts the old value back
eu_give_back() {
	local saved old _
	saved=$(eu_saved)
	flock -w 60 8 || echo "enable_uring.sh: mutex held 60 s; ending without it" >&2
	# a failed conversion drops the shared lock: ours is ending anyway
	if flock -n -x 9; then
		if [ -s "$saved" ] && read -r old _ <"$saved"; then
			echo "$old" >"$(eu_param)"
			rm -f "$saved"
		fi
	fi
	exec 9>&-
	flock -u 8
	exit 0
}

# `enable_uring.sh restore`: a holder killed with -9 itself (the OOM
# killer, enable_uring_release's own bound below) gave nothing back; where
# nobody holds the value any more, the saved one is put back now.  Run by
# enable_uring_release after such a kill, at make check's and make bench's
# end; by hand the same.  Exit 0 (nothing to do counts).
eu_restore_main() {
	local saved old _
	saved=$(eu_saved)
	[ -e "$saved" ] || exit 0
	exec 8>>"$(eu_dir)/hotmem-enable-uring.mutex" 9>>"$(eu_dir)/hotmem-enable-uring.lock" || exit 0
	flock -w 60 8 || exit 0
	if flock -n -x 9 && [ -s "$saved" ] && read -r old _ <"$saved"; then
		echo "$old" >"$(eu_param)" &&
			echo "enable_uring.sh: $(eu_param) put back to $old (its last holder was killed)" >&2
		rm -f "$saved"
	fi
	exit 0
}

# the holder process: `enable_uring.sh hold VALUE [WAIT]`
eu_hold_main() {
	local want=$1 wait=${2:-600}
	case $want in
	Y | N) ;;
	*) eu_refuse "enable_uring.sh: hold Y or N, not '$want'" ;;
	esac
	[ -w "$(eu_param)" ] ||
		eu_refuse "no writable $(eu_param) (a kernel before 6.14 or without CONFIG_FUSE_IO_URING, or not root)"
	exec 8>>"$(eu_dir)/hotmem-enable-uring.mutex" 9>>"$(eu_dir)/hotmem-enable-uring.lock" ||
		eu_refuse "cannot open the locks in $(eu_dir)"
	trap eu_give_back TERM INT HUP
	eu_take "$want" "$wait"
	echo "held $want was $EU_OLD"
	# until a signal (the parent's death's too): a read that never ends, on
	# a pipe whose both ends are ours (no child to leave behind)
	exec 7<> <(:)
	while :; do read -r _ <&7; done
}

# sourced: see the head of this file
enable_uring_hold() {
	local want=$1 wait=${2:-600} line='' out i
	ENABLE_URING_WHY=''
	if [ -n "${ENABLE_URING_PID:-}" ]; then
		# held by this shell already (tests/fusefs/lib.sh's, say): once more
		if [ "$ENABLE_URING_HELD" = "$want" ]; then
			ENABLE_URING_DEPTH=$((ENABLE_URING_DEPTH + 1))
			return 0
		fi
		ENABLE_URING_WHY="enable_uring_hold $want: this shell holds $ENABLE_URING_HELD (pid $ENABLE_URING_PID)"
		return 1
	fi
	ENABLE_URING_OLD=
	if ! command -v flock >/dev/null || ! command -v setpriv >/dev/null; then
		ENABLE_URING_WHY="enable_uring_hold needs flock and setpriv (util-linux)"
		return 1
	fi
	out=$(mktemp) || return 1
	# the holder ends with this shell (PR_SET_PDEATHSIG), even killed with -9
	setpriv --pdeathsig TERM bash "$ENABLE_URING_SH" hold "$want" "$wait" </dev/null >"$out" &
	ENABLE_URING_PID=$!
	# its answer: up to its wait, its mutex's 60 s and some
	for ((i = 0; i < (wait + 150) * 10; i++)); do
		read -r line <"$out" && break
		kill -0 "$ENABLE_URING_PID" 2>/dev/null || { read -r line <"$out"; break; }
		sleep 0.1
	done
	rm -f "$out"
	[ -n "$line" ] || line="refused: no answer from the holder"
	case $line in
	"held $want was "*)
		ENABLE_URING_OLD=${line#"held $want was "}
		ENABLE_URING_HELD=$want ENABLE_URING_DEPTH=1
		return 0
		;;
	esac
	ENABLE_URING_WHY=${line#refused: }
	enable_uring_release
	return 1
}

enable_uring_release() {
	local pid=${ENABLE_URING_PID:-}
	[ -n "$pid" ] || return 0
	if [ "${ENABLE_URING_DEPTH:-1}" -gt 1 ]; then
		ENABLE_URING_DEPTH=$((ENABLE_URING_DEPTH - 1))
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null
	# bounded: a holder stuck past its 60 s mutex wait is killed (its locks go with it)
	if ! timeout 90 tail -s 0.05 --pid="$pid" -f /dev/null; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		bash "$ENABLE_URING_SH" restore
	fi
	wait "$pid" 2>/dev/null
	ENABLE_URING_PID='' ENABLE_URING_HELD='' ENABLE_URING_DEPTH=0
}

# enable_uring_seen_as VALUE CMD...: CMD with the parameter reading VALUE,
# a file bound over it in a mount namespace of its own (root): a program's
# refusal of N checked without setting N on the host, where the runs
# beside hold Y.  CMD's exit status.
enable_uring_seen_as() {
	local v=$1 f rc
	shift
	f=$(mktemp) || return 125
	echo "$v" >"$f"
	unshare -m --propagation private \
		sh -c 'mount --bind "$1" "$2" || exit 125; shift 2; exec "$@"' sh "$f" "$(eu_param)" "$@"
	rc=$?
	rm -f "$f"
	return $rc
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	hold)
		shift
		eu_hold_main "$@"
		;;
	restore)
		eu_restore_main
		;;
	*)
		echo "usage: $0 hold Y|N [WAIT] | restore" >&2
		exit 2
		;;
	esac
fi
