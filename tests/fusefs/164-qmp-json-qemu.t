#!/bin/bash
# hotmemfs reads QMP's JSON as QEMU does (fusefs/qmpread.c): the same
# bytes sent to hotmemfs's control socket and to a real QEMU's monitor
# (qemu-storage-daemon's: the same qobject/json-* code as the emulator's)
# get the same answers -- as many, in the same order, with the same class
# and words (decoded JSON compared).  Comments, trailing commas, '%',
# stray bytes, bad escapes and UTF-8, duplicate keys, nesting past
# QEMU's limit are refused as QEMU refuses them; single quotes, \', \u0000
# and surrogate pairs taken as it takes them.  Each request is one QEMU
# and hotmemfs answer alike: qmp_capabilities in command mode, or a
# command neither has.  hotmemfs gets each also cut in two reads (each
# read by it before the next is sent: qmp_checks.peer_read()), at three
# places: the same answers.  json-c's tokener took comments and trailing
# commas, and counted a ':' in a comment as a duplicate key.
. "$(dirname "$0")/lib.sh"
require_env
mount_fs "hotmemfs mounts" --fresh --state none
qemu_storage_daemon

QSD=$QSD qmp_conversation 600 <<'PY'
import json, os
from qmp_checks import ok, all_ran, peer_read, raw_connect, reply

QSD = os.environ["QSD"]
END = b'\n{"execute": "qmp_capabilities", "id": "end"}\n'
CAPS = b'"execute": "qmp_capabilities"'


def answers(path, data, cuts=()):
    """the replies to DATA on a new negotiated connection to PATH, up to
    the end marker's; DATA cut in reads at CUTS"""
    s = raw_connect(path, timeout=60)
    at = 0
    for c in cuts:
        s.sendall(data[at:c])
        peer_read(s)
        at = c
    s.sendall(data[at:] + END)
    got = []
    while True:
        r = reply(s)
        if r.get("id") == "end":
            break
        got.append(r)
        if len(got) > 50:
            break
    s.close()
    return got


CASES = [
    # json-c took these; QEMU refuses them
    b'{"execute": /* x */ "qmp_capabilities"}',
    b'{' + CAPS + b', /* a: b */ "id": 1}',
    b'{' + CAPS + b', "id": 1} // c: d',
    b'{' + CAPS + b', "id": 1}#',
    b'# {' + CAPS + b'}',
    b'{' + CAPS + b',}',
    b'{' + CAPS + b', "id": [1, 2,]}',
    b'{' + CAPS + b', "id": %d}',
    b'{' + CAPS + b', "id": "%s"}',
    b'%d',
    b'{' + CAPS + b', "id": True}',
    b'{' + CAPS + b', "id": 01}',
    b'{' + CAPS + b', "id": -}',
    b'{' + CAPS + b', "id": 1.}',
    b'{' + CAPS + b', "id": 1.5e}',
    b'{' + CAPS + b', "id": NaN}',
    b'{' + CAPS + b', "id": "\\x"}',
    b'{' + CAPS + b', "id": "\\u12"}',
    b'{' + CAPS + b', "id": "\\u12x"}',
    b'{' + CAPS + b', "id": 1, "id": 2}',
    b'{' + CAPS + b', "id": {"a": 1, "a": {}}}',
    b"{'execute': 'qmp_capabilities', 'execute': 'x'}",
    b'{' + CAPS + b', "id": tru}',
    b'tru@',
    # strings: QEMU's lexer and util/unicode.c
    b'{' + CAPS + b', "id": "a\tb"}',
    b'{' + CAPS + b', "id": "status\x00"}',
    b'{' + CAPS + b', "id": "u\xff\xfe"}',
    b'{' + CAPS + b', "id": "\xef\xbf\xbf"}',
    b'{' + CAPS + b', "id": "\\uFFFF"}',
    b'{' + CAPS + b', "id": "\\ufdd0"}',
    b'{' + CAPS + b', "id": "\\ud800\\u0041"}',
    b'{' + CAPS + b', "id": "\\udc00"}',
    b'{' + CAPS + b', "id": "\xed\xa0\x80"}',
    b'{' + CAPS + b', "id": "\xf4\x90\x80\x80"}',
    b'{' + CAPS + b', "id": "\xe0\x80\xaf"}',
    b'{' + CAPS + b', "id": "\xc0\x81x"}',
    b'{' + CAPS + b', "id": "a\xc3"}',
    b'{' + CAPS + b', "id": "a\xc3(b"}',
    b'{' + CAPS + b', "id": "a\x7fb"}',
    b'\xc3\xa9',
    b'\xfe{' + CAPS + b', "id": 5}',
    b'{' + CAPS + b', "id": 6}\xff',
    b'{"exec\nute": 1}',
    b'"abc',
    # the parser's words
    b'{"execute": }', b'{"a" 1}', b'{1: 2}', b'{"a": 1 "b": 2}', b'[1 2]', b'{"execute" "x"}',
    b'{' + CAPS + b' "id": 1}', b'{,}', b'[,]', b'{"execute":\nx}', b'}', b']', b'[}', b'[}]',
    b'{' + CAPS + b', "id": {"a": [}]}}', b'{' + CAPS + b', "id": [{]}}', b'1}', b'{' + CAPS + b'} null',
    b'null', b'[]', b'{}', b'"x"', b'1.5', b'x' * 3000, b'@' * 3000,
    b'[' * 1025, b'[' * 1024 + b']' * 1024, b'{"a": ' * 1025, b'{' * 1100 + b'}' * 1100,
    # QEMU takes these
    b"{'execute': 'qmp_capabilities', 'id': 'a\"b'}",
    b'{' + CAPS + b', "id": [\'it\\\'s\', "it\\\'s", "\\/", "a\\"b\\\\"]}',
    b'{' + CAPS + b', "id": ["\\u0000x", "\xc0\x80x", \'a\\u0000b\']}',
    b'{' + CAPS + b', "id": {"a": 1, "a\\u0000": 2}}',
    b'{' + CAPS + b', "id": ["\\ud83d\\ude00", "\xf0\x9f\x98\x80", "\\u00e9\\u20ac", "\xc3\xa9"]}',
    b'{' + CAPS + b', "id": [-0, 1e+5, 1E-2, 0.5, 18446744073709551615, 9223372036854775807]}',
    b'{' + CAPS + b', "id": [null, true, false, {}, []]}',
    b'{' + CAPS + b', "arguments": {"enable": []}}',
    b'{"execute": "x", "id": 1}',
    b' \t\r\n{' + CAPS + b'}\n\n{' + CAPS + b', "id": 2}',
]
diff = []
for d in CASES:
    q = answers(QSD, d)
    h = answers(None, d)
    if q != h:
        diff.append("%r: QEMU %s, hotmemfs %s" % (d[:60], json.dumps(q)[:200], json.dumps(h)[:200]))
ok(not diff, "%d inputs, the same answers from QEMU and hotmemfs: %s" % (len(CASES), "; ".join(diff[:5]) or "yes"))
diff = []
for d in CASES:
    q = answers(QSD, d)
    for cuts in [(len(d) // 3,), (len(d) // 2,), (1, 2 * len(d) // 3)]:
        cuts = tuple(c for c in cuts if 0 < c < len(d))
        h = answers(None, d, cuts)
        if q != h:
            diff.append("%r cut at %s: %s" % (d[:60], cuts, json.dumps(h)[:200]))
ok(not diff, "... each cut in reads: the same answers: %s" % ("; ".join(diff[:5]) or "yes"))
all_ran()
PY
stop_fs
done_testing
