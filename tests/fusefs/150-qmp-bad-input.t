#!/bin/bash
# Bad input on the QMP control socket never wedges a connection: it gets
# QEMU's "JSON parse error" answers -- as many as QEMU 7.2 gives, in its
# words (each list below is its answer to those bytes) -- and the
# requests after it in the same write are answered, as QEMU's
# json-streamer recovers (usereye5 #16: a valid request then `x` in one
# write was answered "JSON parse error" for ever, the input never
# consumed).  What QEMU's parser refuses is refused, json-c's leniency
# gone: comments, trailing commas, '%', a key twice; what it takes is
# taken: single quotes, \'.  A string that is no UTF-8 is refused in
# QEMU 7.2's words, not run and echoed back (usereye5 #8i); a request
# split over writes (each piece read by hotmemfs before the next is
# sent: qmp_checks.peer_read()), many pipelined, a long line of garbage,
# a NUL, nesting too deep: each answered, the connection goes on.  A raw
# client (bytes, recv): what hotmemfs writes.
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts" --fresh --state none

qmp_conversation 300 <<'PY'
import json
from qmp_checks import ok, all_ran, peer_read, raw_connect, shown as err

s, buf = None, b""


def connect():
    """a connection of its own, negotiated (the last one closed): a
    check that wedges one does not fail the checks after it"""
    global s, buf
    if s:
        s.close()
    s, buf = raw_connect(), b""


def line():
    """the next line hotmemfs wrote, bytes, newline gone"""
    global buf
    while b"\n" not in buf:
        d = s.recv(65536)
        if not d:
            raise EOFError("hotmemfs hung up")
        buf += d
    l, buf = buf.split(b"\n", 1)
    return l


END = 0


def talk(data):
    """@data sent in one write on a new connection, then a request of its
    own: the replies to @data, every line up to that request's (at most
    200: a stream of errors is no answer), each decoded as UTF-8 JSON;
    None when a line is not"""
    global END
    END += 1
    connect()
    s.sendall(data + b'\n{"execute": "query-memory-devices", "id": "end%d"}\n' % END)
    got = []
    while len(got) <= 200:
        l = line()
        try:
            r = json.loads(l.decode("utf-8"))
        except ValueError:
            return None
        if r.get("id") == "end%d" % END:
            return got
        got.append(r)
    return got


QMD = b'{"execute": "query-memory-devices", "id": %d}'
PE = "GenericError: JSON parse error, "

# usereye5 #16: a request, a bad line, a request, in one write
r = talk(QMD % 1 + b"\nx\n" + QMD % 2)
ok(r is not None and len(r) == 3 and r[0] == {"return": [], "id": 1} and
   err(r[1]).startswith(PE) and r[2] == {"return": [], "id": 2},
   "a request, x, a request in one write: %s" % json.dumps(r)[:300])
# the bad byte first on a line inside a request, a stray brace after one
r = talk(b'{"execute":\nx}\n' + QMD % 3)
ok(r is not None and len(r) == 2 and err(r[0]).startswith(PE) and r[1] == {"return": [], "id": 3},
   "a request broken at a line's start: one error, the next answered: %s" % json.dumps(r)[:300])
r = talk(QMD % 4 + b"\n}\n" + QMD % 5)
ok(r is not None and len(r) == 3 and err(r[1]).startswith(PE) and r[2] == {"return": [], "id": 5},
   "a stray } on its own line: one error, the next answered: %s" % json.dumps(r)[:300])
# the newline itself breaks it
r = talk(b"tru\n" + QMD % 6)
ok(r is not None and len(r) == 2 and err(r[0]).startswith(PE) and r[1] == {"return": [], "id": 6},
   "tru then a newline: one error, the next line answered: %s" % json.dumps(r)[:300])
# invalid UTF-8 (QEMU 7.2: "JSON parse error, invalid UTF-8 sequence in string", nothing run;
# \xff and \xfe no string may hold: stray bytes, the request dropped there, QEMU's
# writer's U+FFFD for them, then the braces left over are values expected)
STRAY = [PE + "stray '\"u\ufffd'", PE + "stray '\ufffd'"]
for bad, want in [(b"\xc3\x28", [PE + "invalid UTF-8 sequence in string"]),
                  (b"\xff\xfe", STRAY + [PE + "expecting value"] * 2),
                  (b"\x80", [PE + "invalid UTF-8 sequence in string"]),
                  (b"\xef\xbf\xbf", [PE + "invalid UTF-8 sequence in string"]),
                  (b"\\uFFFF", [PE + "\\uFFFF is not a valid Unicode character"]),
                  (b"\\ud800\\u0041", [PE + "\\ud800 is not a valid Unicode character"])]:
    r = talk(b'{"execute": "device_add", "arguments": {"driver": "pc-dimm", "size": "128M", "id": "u%s"}}'
             % bad)
    ok(r is not None and [err(x) for x in r] == want,
       "a string holding %r: QEMU's words, every reply UTF-8: %s" % (bad, json.dumps(r)))
r = talk(b'{"execute": "query-memory-devices", "id": "u\xff\xfe"}')
ok(r is not None and [err(x) for x in r] == STRAY + [PE + "expecting value"],
   "an id holding \\xff\\xfe: refused, not echoed: %s" % json.dumps(r))
r = talk(b'{"execute": "query-memory-devices"}')
ok(r == [{"return": []}], "... and no device was added: %s" % json.dumps(r))
r = talk(b'{"execute": "query-memory-devices", "id": "\xc3\xa9t\xc3\xa9"}')
ok(r == [{"return": [], "id": "\u00e9t\u00e9"}], "valid UTF-8 is taken and echoed: %s" % json.dumps(r))
# a key twice in one object: QEMU's parser refuses the request in its words
# (qobject/json-parser.c parse_pair(), "duplicate key"), answered without
# an "id", nothing run, the connection reads on; hotmemfs took the last
DUP = {"error": {"class": "GenericError", "desc": "JSON parse error, duplicate key"}}
for what, data in [
        ("execute twice", b'{"execute": "device_add", "execute": "query-memory-devices", "id": "t"}'),
        ("id twice", b'{"execute": "query-memory-devices", "id": 1, "id": 2}'),
        ("an argument twice", b'{"execute": "device_add", "arguments": {"driver": "pc-dimm", '
         b'"size": "128M", "id": "d1", "id": "d2"}, "id": "n"}'),
        ("a key twice in an object in a list", b'{"execute": "query-memory-devices", '
         b'"id": [1, {"a": {"b": 1, "b": {}}}]}'),
        ("the same key spelt with an escape", b'{"execute": "device_add", "arguments": {"driver": '
         b'"pc-dimm", "size": "128M", "id": "d3", "\\u0069d": "d4"}}')]:
    r = talk(data + b"\n" + QMD % 12)
    ok(r is not None and len(r) == 2 and r[0] == DUP and r[1] == {"return": [], "id": 12},
       "%s: QEMU's duplicate key, no device added, the next line answered: %s"
       % (what, json.dumps(r)[:300]))
connect()
data = b'{"execute": "device_add", "arguments": {"driver": "pc-dimm", "size": "128M", "id": "d5", ' \
       b'"id": "d6"}}\n'
bad = []
for i in range(1, len(data)):
    s.sendall(data[:i])
    peer_read(s)  # the first piece read on its own: the second comes in a read of its own
    s.sendall(data[i:])
    if json.loads(line()) != DUP:
        bad.append(i)
ok(not bad, "the duplicate split over two reads, at each byte: the same refusal (%s)" % bad)
# what QEMU's lexer and parser refuse, json-c took: comments (a ':' in one
# was answered "duplicate key"), trailing commas, '%' (QEMU's interpolation
# is for its own C callers: the monitor's lexer has none); each QEMU 7.2's
# answers to these bytes, the next line answered
RET = "return: []"
for what, data, want in [
        ("a /* */ comment", b'{"execute": /* x */ "query-memory-devices"}',
         [PE + "stray '/'", PE + "expecting value"]),
        # the stray '/' drops the request; the rest is read on from the ':'
        ("a comment holding ':'", b'{"execute": "query-memory-devices", /* a: b */ "id": 1}',
         [PE + "stray '/'", PE + "expecting value", PE + "invalid keyword 'b'", PE + "stray '*'",
          PE + "expecting value", "GenericError: QMP input must be a JSON object", PE + "expecting value"]),
        ("a // comment after a request", b'{"execute": "query-memory-devices"} // c: d',
         [RET, PE + "stray '/'", PE + "expecting value", PE + "invalid keyword 'd'"]),
        ("a # comment", b'# x', [PE + "stray '#'"]),
        ("a trailing comma in an object", b'{"execute": "query-memory-devices",}', [PE + "expecting value"]),
        ("a trailing comma in a list", b'{"execute": "query-memory-devices", "id": [1,]}',
         [PE + "expecting value"]),
        ("%-interpolation", b'{"execute": "query-memory-devices", "id": %d}',
         [PE + "stray '%'", PE + "expecting value"]),
        ("a capital keyword", b'{"execute": "query-memory-devices", "id": True}',
         [PE + "stray 'T'", PE + "expecting value"]),
        ("a number with a leading zero", b'{"execute": "query-memory-devices", "id": 01}',
         [PE + "stray '01'", PE + "expecting value"]),
        ("a bad escape", b'{"execute": "query-memory-devices", "id": "\\x"}',
         [PE + "invalid escape sequence in string"]),
        ("a keyword and a stray byte", b'tru@', [PE + "invalid keyword 'tru'", PE + "stray '@'"])]:
    r = talk(data)
    ok(r is not None and [err(x) for x in r] == want,
       "%s: QEMU's answers, the next line answered: %s" % (what, json.dumps(r)[:300]))
for what, data, want in [
        ("single quotes holding a double one", b"{'execute': 'query-memory-devices', 'id': 'x:\"y'}",
         'x:"y'),
        ("\\' in both quotes", b"{\"execute\": \"query-memory-devices\", \"id\": ['it\\'s', \"it\\'s\"]}",
         ["it's", "it's"]),
        ("\\u0000 and a raw \\xC0\\x80, U+0000 both", b'{"execute": "query-memory-devices", '
         b'"id": ["a\\u0000", "a\xc0\x80"]}', ["a\0", "a\0"]),
        ("a surrogate pair", b'{"execute": "query-memory-devices", "id": "\\ud83d\\ude00"}', "\U0001f600"),
        ("numbers", b'{"execute": "query-memory-devices", "id": [-0, 1e+2, 18446744073709551615, 2.5]}',
         [0, 100.0, 18446744073709551615, 2.5])]:
    r = talk(data)
    ok(r == [{"return": [], "id": want}], "%s: taken as QEMU takes it: %s" % (what, json.dumps(r)[:300]))
for what, data, want in [
        ("a ':' in strings", b'{"execute": "query-memory-devices", "id": {"a:b": "c:d"}}',
         {"a:b": "c:d"}),
        ("an escaped quote then ':'", b'{"execute": "query-memory-devices", "id": "a\\":b\\\\"}',
         'a":b\\'),
        ("keys apart only after a \\u0000", b'{"execute": "query-memory-devices", '
         b'"id": {"a": 1, "a\\u0000": 2}}', {"a": 1, "a\0": 2}),
        ("single-quoted strings", b"{'execute': 'query-memory-devices', 'id': 'x:\"y'}", 'x:"y'),
        ("the same key in two objects", b'{"execute": "query-memory-devices", '
         b'"id": [{"a": 1}, {"a": 2}]}', [{"a": 1}, {"a": 2}])]:
    r = talk(data)
    ok(r is not None and len(r) == 1 and "return" in r[0] and (want is None or r[0].get("id") == want),
       "%s: no duplicate, answered: %s" % (what, json.dumps(r)[:300]))
r = talk(b'{"execute": "query-memory-devices"}')
ok(r == [{"return": []}], "... and no device was added by any of them: %s" % json.dumps(r))
# a NUL, nesting too deep, a long line of garbage
# (QEMU 7.2's answers: a NUL is a stray byte, its string's '}' then a
# value expected; 1025 brackets open is QEMU's MAX_NESTING passed; an
# unknown keyword's words are cut at 1023 bytes as parse_error() cuts them)
for what, data, want in [
        ("a NUL", b'{"execute": "status\x00"}', [PE + "stray '\"status'", PE + "expecting value"]),
        ("nesting too deep", b"[" * 1025, ["GenericError: JSON nesting depth limit exceeded"]),
        ("50000 bytes of garbage", b"x" * 50000, [PE + "invalid keyword '" + "x" * 1006]),
        ("200000 bytes of garbage", b"@" * 200000, [PE + "stray '@'"])]:
    r = talk(data + b"\n" + QMD % 7)
    ok(r is not None and [err(x) for x in r[:-1]] == want and r[-1] == {"return": [], "id": 7},
       "%s: QEMU's answers, the next line answered: %s" % (what, json.dumps(r)[:200]))
# review15 R1: a bare null is a JSON text, not a parse error, and a string
# broken by a raw newline ends at it: neither swallows the next request
NO = "GenericError: QMP input must be a JSON object"
r = talk(b"null\n" + QMD % 8)
ok(r is not None and len(r) == 2 and err(r[0]) == NO and r[1] == {"return": [], "id": 8},
   "null: QEMU's not-an-object, the next line answered: %s" % json.dumps(r)[:300])
r = talk(QMD % 9 + b" null\n" + QMD % 10)
ok(r is not None and len(r) == 3 and r[0] == {"return": [], "id": 9} and err(r[1]) == NO and
   r[2] == {"return": [], "id": 10},
   "a request then null on one line: both answered, then the next: %s" % json.dumps(r)[:300])
for what, data, want in [("an unterminated string", b'"abc', "stray '\"abc\n'"),
                         ("a request whose string a newline breaks", b'{"execute": "query-mem',
                          "stray '\"query-mem\n'")]:
    r = talk(data + b"\n" + QMD % 11)
    ok(r is not None and len(r) == 2 and err(r[0]) == PE + want and r[1] == {"return": [], "id": 11},
       "%s: QEMU's answer, the next line answered: %s" % (what, json.dumps(r)[:300]))
r = talk(b'{"execute": "query-memory-devices", "id": "a\tb"}')
ok(r is not None and [err(x) for x in r] == [PE + "stray '\"a\t'", PE + "expecting value"],
   "a raw tab in a string: QEMU's lexer's answers: %s" % json.dumps(r)[:300])
r = talk(b'{"execute": "query-memory-devices", "id": "a\\"b\\\\"}')
ok(r == [{"return": [], "id": 'a"b\\'}], "escapes in a string still taken: %s" % json.dumps(r)[:300])
# a request split over writes, at each byte
req = b'{"execute": "query-memory-devices", "id": "split"}\n'
connect()
for i in range(1, len(req)):
    s.sendall(req[:i])
    peer_read(s)
    s.sendall(req[i:])
got = [line() for _ in range(1, len(req))]
ok(all(json.loads(g) == {"return": [], "id": "split"} for g in got),
   "a request split in two reads at each of its %d bytes: each answered" % (len(req) - 1))
req = b'{"execute": "query-memory-devices", "id": "\xe2\x82\xac"}\n'
for i in range(1, len(req)):
    s.sendall(req[:i])
    peer_read(s)
    s.sendall(req[i:])
got = [line() for _ in range(1, len(req))]
ok(all(json.loads(g) == {"return": [], "id": "\u20ac"} for g in got),
   "... one whose UTF-8 (a euro sign) is cut by the split too")
# pipelined: 100 requests in one write, answered in order
r = talk(b"\n".join(QMD % i for i in range(100)))
ok(r is not None and [x.get("id") for x in r] == list(range(100)),
   "100 requests in one write: 100 replies in order")
# mixed: every other line bad (each balanced: QEMU reads an unclosed '{' on
# into the next lines, and so does hotmemfs)
r = talk(b"\n".join(QMD % i if i % 2 else b"{oops %d}" % i for i in range(20)))
ok(r is not None and len(r) == 20 and
   all((x.get("id") == i) if i % 2 else err(x).startswith(PE) for i, x in enumerate(r)),
   "good and bad lines in turn: a reply each, in order")
all_ran()
PY
# a request too large (beyond 64 KiB unended): said, and the connection ends
PYTHONPATH="$HOTMEM_SRC/tests/kernel:$HOTMEM_SRC/tests/fusefs" timeout 120 python3 - "$CTL" >"$TMP/big.out" 2>&1 <<'PY'
from qmp_checks import raw_connect
s = raw_connect()
try:
    s.sendall(b'{"execute": "status", "id": "' + b"a" * 200000 + b'"}\n')
except OSError:
    pass
out = b""
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
except ConnectionResetError:
    pass  # closed with what we sent unread: the reply came before
print(out.decode())
PY
is "$(cat "$TMP/big.out")" '{"error":{"class":"GenericError","desc":"request too large"}}' \
	"a request beyond 64 KiB: said once, then the connection ends"
is "$(ctl status >/dev/null; echo $?)" 0 "hotmemfs still answers a new connection"
stop_fs
done_testing
