"""fake_sock.listening(PATH): a Unix stream socket listening at PATH for
the fake peers of the hotmemctl tests (tests/fusefs/61, 475), which run
with PYTHONPATH=$HOTMEM_SRC/tests/fusefs.  It binds and listens at
PATH.tmp and renames it to PATH: PATH appears only once something
listens (a client between bind() and listen() would be refused,
"nothing listens"), so lib.sh's sock_listening waits for PATH alone."""
import os
import socket


def listening(path):
    s = socket.socket(socket.AF_UNIX)
    s.bind(path + ".tmp")
    s.listen(4)
    os.rename(path + ".tmp", path)
    return s
