#!/bin/bash
# Where hotmem-conform makes its work directory and keeps an agent's
# stderr: $TMPDIR, as mktemp -t takes it -- a relative one from the
# current directory (it fell back to the host's /tmp, small44) -- and its
# usage says so.  A fake hotmem-enter (HOTMEM_ENTER): no machine entered.
. "$(dirname "$0")/../fusefs/lib.sh"
need_conform_fake
mkdir "$TMP/rel"
cd "$TMP" || exit 1

# a relative TMPDIR: the work directory under it, by its absolute path
printf '%s\n' 'SUBSYSTEM=="memory"' >"$TMP/70-w.rules"
enter=$(fake_enter args "printf '%s\\n' \"\$@\" >'$TMP/args'; echo '{\"new\": 8, \"online\": 8}'")
TMPDIR=rel HOTMEM_ENTER=$enter "$CONFORM" --reduced --rules "$TMP/70-w.rules" --only 'offline' >/dev/null 2>&1
sed -n 2p "$TMP/args" | grep -q "^$TMP/rel/hotmem-conform\.[^/]*/user-[0-9]*-70-w.rules$"
tap_ok $? "TMPDIR=rel: the work directory in $TMP/rel: $(sed -n 2p "$TMP/args")"

# an agent that ended before the plug: its stderr kept in the same place
enter=$(fake_enter gone "echo 'sh: 1: my-agent-typo: not found' >&2; echo '{\"new\": 8, \"online\": 0, \"agent_exit\": {\"code\": 127, \"before_plug\": true, \"within_ms\": 100}, \"agent_log_tail\": \"sh: 1: my-agent-typo: not found\"}'")
TMPDIR=rel HOTMEM_ENTER=$enter "$CONFORM" --reduced --agent my-agent-typo \
	--only '^agent#1 memhp_default_state=offline ' --json "$TMP/gone.json" >"$TMP/gone" 2>&1
sed 's/^/# /' "$TMP/gone" | cut -c1-200
log=$(jq -r '.[0].outcome.agent_log' "$TMP/gone.json" 2>/dev/null)
tail -1 "$TMP/gone" | grep -q "; agents' stderr kept in $TMP/rel/hotmem-conform-logs\.[^/]*$" &&
	case $log in "$TMP"/rel/hotmem-conform-logs.*/*.log) [ -s "$log" ] ;; *) false ;; esac
tap_ok $? "TMPDIR=rel: an agent's stderr kept in $TMP/rel/hotmem-conform-logs.*: '$log'"
ls -d "$TMP"/rel/hotmem-conform.* >/dev/null 2>&1
is "$?" 2 "... its work directories removed"

"$CONFORM" --help | tr '\n' ' ' | grep -q "made in \$TMPDIR (/tmp without it).* agent .* kept there, in hotmem-conform-logs.XXXXXX/"
tap_ok $? "--help says where the work directory and the kept logs go"
done_testing
