#!/bin/bash
# hotmemctl raw '{"execute":"qmp_capabilities"}' (usereye8 5d): QMP refuses a
# second negotiation with CommandNotFound ("Capabilities negotiation is
# already complete"), and hotmemctl added its hint for an unknown command,
# "hotmemctl --help lists the commands" -- wrong: the command exists and
# hotmemctl had sent it itself.  Now the hint says so; an unknown command
# keeps its hint.
. "$(dirname "$0")/lib.sh"
private_mount_ns "$@"
require_env

mount_fs "hotmemfs mounts" --fresh
ctl raw '{"execute":"qmp_capabilities"}' >"$TMP/out" 2>"$TMP/err"
is "$?" 1 "raw qmp_capabilities: exit 1"
is "$(cat "$TMP/out")" '{"error":{"class":"CommandNotFound","desc":"Capabilities negotiation is already complete, command ignored"}}' \
	"... stdout: QMP's reply as received"
is "$(cat "$TMP/err")" "hotmemctl: error: Capabilities negotiation is already complete, command ignored (hotmemctl negotiates capabilities itself, before every command)" \
	"... stderr: hotmemctl negotiated already, not a pointer to --help"
ctl raw '{"execute":"no-such-command"}' >/dev/null 2>"$TMP/err2"
is "$?:$(cat "$TMP/err2")" "1:hotmemctl: error: The command no-such-command has not been found (hotmemctl --help lists the commands)" \
	"an unknown command (raw): the --help hint still"
done_testing
