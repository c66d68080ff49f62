# shellcheck shell=bash
# A user's hotmemfs runs fusermount3 to mount and to unmount (libfuse
# forks it).  These helpers, sourced after lib.sh, run nobody's hotmemfs
# with /usr/bin/fusermount3 replaced, in a mount namespace of its own, by
# $TMP/fusermount3: a stand-in the test writes (#!$PY), which may run the
# real one, bound at $TMP/fusermount3.real.  74-fusermount-signals.t,
# 130-stop-ends-at-deadline.t.

# standin_require: skip unless the tools are there; $TMP and $MNT usable
# by nobody
standin_require() {
	need_tool setpriv util-linux
	need_tool unshare util-linux
	need_tool /usr/bin/fusermount3 fuse3
	# a genuine difference: another fusermount3 first on $PATH, which
	# libfuse would run instead of the one bound over
	FM=$(command -v fusermount3)
	[ "$FM" = /usr/bin/fusermount3 ] || skip_all "fusermount3 is $FM, not libfuse's /usr/bin/fusermount3"
	PY=/usr/bin/python3
	need_tool $PY python3
	chmod 1777 "$TMP"
	chown 65534:65534 "$MNT"
}

# standin_start [hotmemfs options...]: nobody's hotmemfs on $MNT through
# the stand-in ($TMP/fusermount3, written and executable), $FS_PID; 0
# once its control socket answers (30 s at most)
standin_start() {
	: >"$TMP/fusermount3.real"
	unshare -m --propagation private bash -c '
		mount --bind /usr/bin/fusermount3 "$1/fusermount3.real" &&
			mount --bind "$1/fusermount3" /usr/bin/fusermount3 || exit 99
		shift
		exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' \
		ns "$TMP" "$HMFS" --control "$CTL" "$@" "$MNT" 2>>"$TMP/hotmemfs.log" &
	FS_PID=$!
	for _ in $(seq 600); do
		"$HMCTL" -s "$CTL" status >/dev/null 2>&1 && return 0
		kill -0 "$FS_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
