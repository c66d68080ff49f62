#!/bin/bash
# hotmemctl raw '{"execute":"qmp_capabilities"}' (usereye8 5d): QMP refuses a
# second negotiation with CommandNotFound ("Capabilities negotiation is
# already complete"), and hotmemctl added its hint for an unknown command,
# "hotmemctl --help lists the commands" -- wrong: the command exists and
# hotmemctl had sent it itself.  Now the hint says so; an unknown command
# keeps its hint.
# `hotmemctl qmp_capabilities` (no raw) was "unknown command": it does what
# a user means, the negotiation made and said (usereye9); and qom-get /
# qom-set without their arguments are usage errors (exit 2, the synopsis
# on stderr, nothing sent), not hotmemfs's QMP refusal (exit 1).
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
ctl qmp_capabilities >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "qmp_capabilities: exit 0, nothing on stderr"
is_like "$(cat "$TMP/out")" 'QMP capabilities negotiated (none offered; the protocol of QEMU 9.2.0, hotmem *): hotmemctl does it before every command' \
	"... says the negotiation went through, with the greeting's version"
is "$(ctl --json qmp_capabilities | tr -d ' \n')" "{}" "--json qmp_capabilities: QMP's {}"
ctl qmp_capabilities x >/dev/null 2>"$TMP/err"
is "$?" 2 "qmp_capabilities with an argument: a usage error"
for args in "qom-get" "qom-get vm0" "qom-set" "qom-set vm0" "qom-set vm0 requested-size"; do
	ctl $args >"$TMP/out" 2>"$TMP/err"
	rc=$?
	is "$rc:$(cat "$TMP/out")" "2:" "hotmemctl $args: exit 2, nothing on stdout"
	is_like "$(cat "$TMP/err")" "hotmemctl: ${args%% *}: which *? (${args%% *} ID *; hotmemctl --help)" "... which argument, and the synopsis"
done
done_testing
