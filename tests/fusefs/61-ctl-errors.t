#!/bin/bash
# hotmemctl's errors as a user sees them: each one line on stderr, saying
# what was wrong and what to do, nothing on stdout, and the exit status
# hotmemctl(8) documents -- 2 for what its own command line got wrong
# (options, a command's arguments), 1 for a hotmemfs not reached, a wrong
# socket or a refused command.  getopt's errors printed the whole usage
# (40 lines); a command's bad arguments exited 1, as a refusal does, not 2;
# "settle abc" went to hotmemfs to be refused there; a stale socket, a
# file that is no socket and no socket at all all said "cannot connect
# ... (is hotmemfs running?)"; a server that is not hotmemfs got "bad
# reply" and then "no reply".
. "$(dirname "$0")/lib.sh"
require_env

# err_is EXIT PATTERN NAME -- HOTMEMCTL-ARGS...: exit status EXIT, stdout
# empty (raw's and --json's: the refusal's reply, refused_stdout_ok),
# stderr one line matching the extended regex PATTERN (run as ${AS[@]}
# when set)
AS=()
err_is() {
	local want=$1 pat=$2 name=$3 rc out err pre='^hotmemctl: '
	shift 4
	out=$(timeout 60 "${AS[@]}" "$HMCTL" "$@" 2>"$TMP/err")
	rc=$?
	err=$(cat "$TMP/err")
	if [ "$rc" -eq "$want" ] && refused_stdout_ok "$out" "$err" "$@" &&
		[ "$(wc -l <"$TMP/err")" -eq 1 ] &&
		[[ $err =~ $pre ]] && [[ $err =~ $pat ]]; then
		ok "$name"
	else
		nok "$name"
		diag "exit $rc (want $want), stdout: $(printf %q "$out")"
		sed 's/^/#   stderr: /' "$TMP/err"
	fi
}

export HOTMEM_CONTROL=$TMP/none.sock
LONG=$TMP/$(printf 'a%.0s' $(seq 120))

# usage errors: exit status 2
err_is 2 "no command given .*--help" "no command" -- 
err_is 2 "unknown option '-x' .*--help" "-x" -- -x status
err_is 2 "unknown option '--bogus' .*--help" "--bogus" -- --bogus status
err_is 2 "unknown option '-x'" "-jx: the option in the group" -- -jx status
err_is 2 "-t/--timeout needs a value" "-t without a value" -- -t
err_is 2 "-s/--socket needs a value" "--socket without a value" -- --socket
err_is 2 "bad timeout 'abc': -t takes whole seconds, decimal or 0x hex, 0\.\.86400" "-t abc" -- -t abc status
err_is 2 "bad timeout '-1'" "-t -1" -- -t -1 status
err_is 2 "socket path .*: 1[0-9][0-9] bytes, more than the 107 .*shorter path" "a socket path too long" -- -s "$LONG" status
err_is 2 "status: unexpected argument '-x' \(takes KEY=VALUE items only\)" "status -x" -- status -x
err_is 2 "device_del: unexpected argument 'd2' \(takes id, then KEY=VALUE items\)" "device_del d1 d2" -- device_del d1 d2
err_is 2 "raw: takes one argument, the JSON request" "raw without its JSON" -- raw
err_is 2 "raw: not valid JSON: \{" "raw {" -- raw '{'
err_is 2 "export: takes one argument, the directory" "export without DIR" -- export
err_is 2 "map: unknown argument '--bogus'" "map --bogus" -- map --bogus
err_is 2 "settle: unexpected argument '--bogus'" "settle --bogus" -- settle --bogus
err_is 2 "settle: bad timeout 'abc': --timeout takes seconds, decimal \(2\.5\) or 0x hex, 0\.\.86400" "settle abc: refused before sending" -- settle abc
err_is 2 "settle: bad timeout '1e9'" "settle --timeout 1e9" -- settle --timeout 1e9
err_is 2 "events: unexpected argument '--bogus' \(events \[--trace\]\)" "events --bogus" -- events --bogus
# usereye2 6: refused here, with no hotmemfs running (HOTMEM_CONTROL names no socket)
err_is 2 "^hotmemctl: frobnicate: unknown command \(hotmemctl --help lists the commands\)$" \
	"an unknown command: refused before any connect" -- frobnicate
err_is 2 "^hotmemctl: offline: which block\? \(offline BLOCK \[timeout=MS\]; hotmemctl --help\)$" \
	"offline without its block: asked for, no word of a 'state'" -- offline
err_is 2 "^hotmemctl: offline: which block\?" "offline timeout=5: still no block" -- offline timeout=5
err_is 2 "^hotmemctl: explain: which block\?" "explain --all without its block" -- explain --all
err_is 2 "^hotmemctl: device_del: which id\? \(device_del ID;" "device_del without its id" -- device_del
# a block command's malformed value: refused here too, saying which and what
# it must be (it reached hotmemfs, which refused it: exit status 1)
err_is 2 "^hotmemctl: offline: bad block 'abc': a block number, 0 or more, decimal as in memoryN \(offline BLOCK \[timeout=MS\]; hotmemctl --help\)$" \
	"offline abc: refused before any connect" -- offline abc
err_is 2 "^hotmemctl: offline: bad block '-1': a block number" "offline -1" -- offline -1
err_is 2 "^hotmemctl: offline: bad timeout 'soon': milliseconds, 0 or more" "offline 3 timeout=soon" -- offline 3 timeout=soon
err_is 2 "^hotmemctl: online: bad block '1x'" "online 1x" -- online 1x
err_is 2 "^hotmemctl: online: bad state 'bogus': online, online_kernel or online_movable \(online BLOCK" \
	"online 3 bogus" -- online 3 bogus
err_is 2 "^hotmemctl: online: bad state 'offline': online, online_kernel or online_movable \(online BLOCK" \
	"online 3 offline: online takes no offline (offline 3 does)" -- online 3 offline
err_is 2 "^hotmemctl: block-set-state: bad block 'x'" "block-set-state x online" -- block-set-state x online
err_is 2 "^hotmemctl: block-set-state: bad state 'up'" "block-set-state 3 up" -- block-set-state 3 up
err_is 2 "^hotmemctl: explain: bad block 'abc'" "explain abc" -- explain abc
err_is 2 "^hotmemctl: explain: bad from 'zz': a pfn, 0 or more" "explain 3 from=zz" -- explain 3 from=zz
# ... and of the other commands that take numbers and words
err_is 2 "^hotmemctl: alloc: bad type 'movabel': movable, unmovable or pinned \(alloc " "alloc movabel 10" -- alloc movabel 10
err_is 2 "^hotmemctl: alloc: bad pages '0': a number of pages, 1 or more" "alloc movable 0" -- alloc movable 0
err_is 2 "^hotmemctl: alloc: bad node 'x': a node number, or -1 for any" "alloc movable 1 node=x" -- alloc movable 1 node=x
err_is 2 "^hotmemctl: hugetlb: bad pages 'lots'" "hugetlb lots" -- hugetlb lots
err_is 2 "^hotmemctl: fail-nth-alloc: bad nth '-1': a count, 0 or more" "fail-nth-alloc -1" -- fail-nth-alloc -1
err_is 2 "^hotmemctl: inject: bad error '16': 0 or a negative errno" "inject MEM_GOING_ONLINE 16" -- inject MEM_GOING_ONLINE 16

# hotmemfs not reached: exit status 1, what to do
err_is 1 "no control socket at $TMP/none.sock: hotmemfs is not running.*-s or HOTMEM_CONTROL" \
	"no socket at the path" -- status
: >"$TMP/file"
err_is 1 "$TMP/file is not a socket: .*-s or HOTMEM_CONTROL" "a file that is no socket" -- -s "$TMP/file" status
err_is 1 "$TMP is not a socket" "a directory" -- -s "$TMP" status
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$TMP/stale.sock"
err_is 1 "nothing listens on $TMP/stale.sock: hotmemfs was killed or crashed and left its socket \(a stop removes it\); start hotmemfs again" \
	"a socket nobody listens on (hotmemfs killed -9)" -- -s "$TMP/stale.sock" status

# a socket that is not hotmemfs's: its first line is the reply
# wrong_server SOCK LINE PATTERN NAME: a server on SOCK answering each
# client LINE (bounded: 60 s); hotmemctl status against it says PATTERN.
# It binds and listens on SOCK.tmp and renames it to SOCK: SOCK appears
# only once something listens (a client between bind and listen would be
# refused: "nothing listens")
wrong_server() {
	local srv
	PYTHONPATH=$HOTMEM_SRC/tests/fusefs timeout 60 python3 - "$1" "$2" <<'PY' &
import sys
from fake_sock import listening
s = listening(sys.argv[1])
while True:
    c, _ = s.accept()
    c.sendall(sys.argv[2].encode() + b"\n")
    c.recv(65536)
    c.close()
PY
	srv=$!
	sock_listening "$1"
	err_is 1 "$3" "$4" -- -s "$1" -t 30 status
	kill "$srv" 2>/dev/null
	wait_exit "$srv" 30 2>/dev/null
}
wrong_server "$TMP/other.sock" "SSH-2.0-OpenSSH_9.6" \
	"$TMP/other.sock: the reply is not JSON .*is it hotmemfs's control socket\?" \
	"a server that does not speak JSON"
wrong_server "$TMP/json.sock" '{"jsonrpc": "2.0"}' \
	"$TMP/json.sock: no QMP greeting but \{\"jsonrpc\":\"2.0\"\}: is it hotmemfs's control socket\?" \
	"a server that speaks JSON but not QMP"
# a server that reads the request and hangs up, its socket left (killed,
# crashed): what a command that changes the machine did is not known, one
# that only looks did nothing (hotmemfs's table says which: ctlcmds.h)
hangup_server() {
	PYTHONPATH=$HOTMEM_SRC/tests/fusefs timeout 60 python3 - "$1" <<'PY' &
import sys
from fake_sock import listening
s = listening(sys.argv[1])
while True:
    c, _ = s.accept()
    c.recv(65536)
    c.close()
PY
	HANGUP_PID=$!
	sock_listening "$1"
}
hangup_server "$TMP/hangup.sock"
err_is 1 "^hotmemctl: $TMP/hangup.sock: hotmemfs closed the connection without replying: stopping or crashed\?: whether alloc was carried out is not known here; once hotmemfs runs again from its state file, .hotmemctl status. shows the machine$" \
	"a lost reply to alloc: whether it was carried out is not known" -- -s "$TMP/hangup.sock" -t 30 alloc movable 1
err_is 1 "^hotmemctl: $TMP/hangup.sock: hotmemfs closed the connection without replying: stopping or crashed\?$" \
	"a lost reply to dmesg: nothing more (it changes nothing)" -- -s "$TMP/hangup.sock" -t 30 dmesg
err_is 1 "^hotmemctl: $TMP/hangup.sock: hotmemfs closed the connection without replying: stopping or crashed\?$" \
	"a lost reply to devices (added to the table later than the hand list): nothing more" -- -s "$TMP/hangup.sock" -t 30 devices
err_is 1 "^hotmemctl: $TMP/hangup.sock: hotmemfs closed the connection without replying: stopping or crashed\?$" \
	"a lost reply to an unknown command: nothing more (refused, nothing done)" -- -s "$TMP/hangup.sock" -t 30 raw '{"execute": "bogus"}'
kill "$HANGUP_PID" 2>/dev/null
wait_exit "$HANGUP_PID" 30 2>/dev/null

start_fs --fresh
tap_ok $? "hotmemfs mounts"
export HOTMEM_CONTROL=$CTL
"$HMCTL" -t 0 status >/dev/null
tap_ok $? "-t 0 (no limit): status answers"
"$HMCTL" settle --timeout 0.5 >/dev/null
tap_ok $? "settle --timeout 0.5: seconds as hotmemfs takes them"
err_is 1 "error: The command bogus has not been found \(hotmemctl --help lists the commands\)" \
	"raw's unknown command: hotmemfs's word, and where the commands are" -- raw '{"execute": "bogus"}'
err_is 2 "^hotmemctl: bogus: unknown command" "an unknown command with hotmemfs running: refused here too" -- bogus
"$HMCTL" offline block=99999 2>&1 | grep -q 'offline failed: No such device'
tap_ok $? "offline block=99999: the block as KEY=VALUE is given, sent"
err_is 1 "error: memory99999: offline failed: No such device \(no memory99999; the memory blocks: 0-7\)$" \
	"a refused command: exit status 1; a block that is not: the blocks there are (usereye4 #8)" -- offline 99999
# what hotmemctl refuses itself, hotmemfs refuses too (sent as is with raw)
err_is 1 "error: Parameter 'block' expects a block number, 0 or more, decimal as in memoryN$" "raw offline of block 'abc': hotmemfs's refusal" -- \
	raw '{"execute": "block-set-state", "arguments": {"block": "abc", "state": "offline"}}'
err_is 1 "error: Parameter 'node' is out of range" "raw alloc node=-2: hotmemfs's refusal" -- \
	raw '{"execute": "alloc", "arguments": {"type": "movable", "pages": 10, "node": -2}}'
err_is 1 "error: 'error' must be 0 or a negative errno" "raw inject error=16: hotmemfs's refusal" -- \
	raw '{"execute": "inject", "arguments": {"action": "MEM_GOING_ONLINE", "error": 16}}'
stop_fs
# an offline the kernel's pages stop: where to look (the first Normal block
# of a living kernel holds one of its pages)
start_fs --fresh --profile qemu-512m
ctl device_add pc-dimm id=d1 size=256M addr=0x100000000 >/dev/null && ctl online 32 >/dev/null
tap_ok $? "a DIMM's first block online in Normal"
err_is 1 "error: memory32: offline failed: Device or resource busy: \`hotmemctl explain 32\` sums up what is in the way by owner, \`--all\` lists every page" \
	"an offline refused EBUSY: says which command names the pages in the way" -- offline 32
err_is 1 "error: memory9: online failed: No such device \(no memory9; the memory blocks: 0-3, 32-33\)$" \
	"online of a block in the hole: the blocks there are, boot RAM and the DIMM's" -- online 9
# device_add: QEMU's pc_dimm_realize() words (usereye7 #11m; 187-qmp-qom-set-size.t
# compares them with QEMU), a one-node machine's count 1
err_is 1 "error: 'DIMM property node has value 9' which exceeds the number of numa nodes: 1$" \
	"device_add node=9: QEMU's words, the node count" -- device_add pc-dimm size=128M node=9
# ... which is realize's, after pre-plug's slot: a full slot table says so first (abuse31 W1)
for i in 2 3 4; do ctl device_add pc-dimm id=d$i size=128M >/dev/null || break; done
tap_ok $? "the other three slots taken"
err_is 1 "error: no free slots available$" \
	"device_add node=9 with every slot taken: QEMU's pre-plug refuses the slot first" -- \
	device_add pc-dimm size=128M node=9
for i in 2 3 4; do ctl device_del d$i >/dev/null || break; done
tap_ok $? "... the three given back"
err_is 1 "error: 'node' property has value '9', which exceedsthe number of numa nodes: 1$" \
	"device_add virtio-mem-pci node=9: QEMU's words (its missing space too)" -- \
	raw '{"execute": "device_add", "arguments": {"driver": "virtio-mem-pci", "id": "vm9", "size": "1G", "requested-size": 0, "node": 9}}'
err_is 1 "error: Parameter 'node' expects uint32_t$" "raw device_add node -1: no uint32, as QEMU's" -- \
	raw '{"execute": "device_add", "arguments": {"driver": "pc-dimm", "id": "dn", "size": "128M", "node": -1}}'
# usereye3 16: a one-node machine's possible nodes as node/possible reads: "0", not "0-0"
err_is 1 "error: allocation failed: Invalid argument: node 9 does not exist \(possible: 0\)$" \
	"alloc node=9: the possible nodes as a node list" -- alloc movable 1 node=9
err_is 1 "error: hugetlb: Invalid argument: node 9 does not exist \(possible: 0\)$" \
	"hugetlb node=9: the same list" -- hugetlb 1 node=9
# a growth that finds no free 2 MiB range says it as the partial one does
held=$(ctl hugetlb 1000000 | sed -n 's/.*; it now holds \([0-9]*\), .*/\1/p')
err_is 1 "error: hugetlb: added 0 of 100 huge pages of 2 MiB asked for: no free 2 MiB range \(Cannot allocate memory\); it holds ${held:-?}, ${held:-?} free$" \
	"hugetlb 100 with no free 2 MiB range: added 0 of 100, what the pool holds" -- hugetlb 100
err_is 1 "error: hugetlb: added 0 of 1 huge page of 2 MiB asked for: no free 2 MiB range \(Cannot allocate memory\); it holds ${held:-?}, ${held:-?} free$" \
	"hugetlb 1 with no free 2 MiB range: one huge page, not pages (usereye7 #11c)" -- hugetlb 1
ctl hugetlb -1000000 >/dev/null
chmod 711 "$TMP"
AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
err_is 1 "may not connect to $CTL: Permission denied: .*run hotmemctl as that user" \
	"another user on the 0600 socket" -- status
AS=()
stop_fs
# usereye3 19: a save with no state file is refused, saying so (it said nothing, exit 0)
start_fs --fresh -S none
err_is 1 "error: no state file \(-S none\): nothing saved$" "save under -S none: nothing saved, exit 1" -- save
done_testing
