#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Prototypes and enums of a kernel's BTF, as C-like lines, for the TAP
tests to grep (what the tracer's decoding follows, checked on the host
before a guest boots):

  btf_protos.py BTF_RAW_DUMP FUNC... [--enum NAME...]

BTF_RAW_DUMP is "bpftool btf dump file VMLINUX" output.  Prints
"RET FUNC(TYPE NAME, ...)" per function (NONE FUNC when absent) and
"enum NAME { A = 0, ... }" per enum.
"""
import re
import sys


def main(path, names):
    types, cur = {}, None
    for line in open(path):
        m = re.match(r"\[(\d+)\] (\w+) '([^']*)'(.*)", line)
        if m:
            cur = int(m.group(1))
            types[cur] = [m.group(2), m.group(3), m.group(4), []]
        elif cur is not None and line.startswith("\t"):
            types[cur][3].append(line.strip())

    def tname(i):
        if i == 0:
            return "void"
        kind, name, rest, _ = types[i]
        ref = re.search(r"type_id=(\d+)", rest)
        if kind == "PTR":
            return tname(int(ref.group(1))) + "*"
        if kind in ("CONST", "VOLATILE", "RESTRICT", "TYPE_TAG"):
            return tname(int(ref.group(1)))
        if kind in ("STRUCT", "UNION", "ENUM"):
            return kind.lower() + " " + name
        return name

    funcs, enums = {}, {}
    for kind, name, rest, sub in types.values():
        if kind == "FUNC":
            funcs.setdefault(name, int(re.search(r"type_id=(\d+)", rest).group(1)))
        elif kind in ("ENUM", "ENUM64") and name:
            enums[name] = sub
    as_enum = False
    for n in names:
        if n == "--enum":
            as_enum = True
        elif as_enum:
            vals = ", ".join(re.sub(r"'(\w+)' val=(-?\d+)", r"\1 = \2", v)
                             for v in enums.get(n, []))
            print("enum %s { %s }" % (n, vals) if n in enums else "NONE enum " + n)
        elif n not in funcs:
            print("NONE " + n)
        else:
            _, _, rest, sub = types[funcs[n]]
            ret = int(re.search(r"ret_type_id=(\d+)", rest).group(1))
            args = []
            for s in sub:
                m = re.match(r"'([^']*)' type_id=(\d+)", s)
                args.append((tname(int(m.group(2))) + " " + m.group(1)).strip())
            print("%s %s(%s)" % (tname(ret), n, ", ".join(args)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
