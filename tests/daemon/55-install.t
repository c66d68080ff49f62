#!/bin/bash
# make install PREFIX=/usr: the installed units and the example drop-ins
# name $PREFIX/bin in ExecStart= (not /usr/local/bin: 203/EXEC), and keep
# every other line of unit-files/ (#13.5).
. "$(dirname "$0")/lib.sh"
need_tool make make
need_hotmemd
root=$TMP/root
if make -C "$HOTMEM_SRC" --no-print-directory -s install DESTDIR="$root" PREFIX=/usr \
	BUILD="$HOTMEM_BUILD" >"$TMP/install.log" 2>&1; then
	ok "make install DESTDIR=<tmp> PREFIX=/usr"
else
	nok "make install DESTDIR=<tmp> PREFIX=/usr"
	sed 's/^/# /' "$TMP/install.log" | tail -5
fi
units=$root/usr/lib/systemd/system
examples=$root/usr/share/doc/hotmem/examples
for u in hotmemfs.service hotmemd.service hotmem-trace.service; do
	f=$units/$u
	exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$f" 2>/dev/null | head -1)
	is "$exe" "/usr/bin/${u%.service}" "$u: ExecStart= names /usr/bin/${u%.service}"
	check "$u: no line names /usr/local" bash -c "! grep -n /usr/local '$f'"
	check "$u: the rest as in unit-files/" bash -c \
		"diff <(grep -v /usr/ '$HOTMEM_SRC/unit-files/$u') <(grep -v /usr/ '$f')"
	[ -x "$root/usr/bin/${u%.service}" ] && ok "$u: /usr/bin/${u%.service} installed" ||
		nok "$u: /usr/bin/${u%.service} installed"
done
exe=$(sed -n 's/^ExecStart=\([^ ]\+\).*/\1/p' "$examples/hotmemd-emulation.conf" 2>/dev/null)
is "$exe" /usr/bin/hotmemd "example drop-in hotmemd-emulation.conf: ExecStart= names /usr/bin/hotmemd"
check "hotmemfs-emulation.conf installed" test -s "$examples/hotmemfs-emulation.conf"
reload=$(sed -n 's/^ExecReload=//p' "$units/hotmemd.service" 2>/dev/null)
check "hotmemd.service: ExecReload= checks the configuration with /usr/bin/hotmemd first, then waits for \$RUNTIME_DIRECTORY's reloaded" \
	grep -qF "/bin/sh -c 'd=\$\${RUNTIME_DIRECTORY:?unset: hotmemd.service needs RuntimeDirectory} && f=\$\${d%%%%:*}/reloaded && /usr/bin/hotmemd --check-config >/dev/null && rm -f \"\$\$f\" && kill -HUP" <<<"$reload"
check "journal catalog installed as /usr/lib/systemd/catalog/hotmemd.catalog (journalctl -x)" \
	cmp "$HOTMEM_SRC/daemon/hotmemd.catalog" "$root/usr/lib/systemd/catalog/hotmemd.catalog"
# usereye9 F8: README's links are docs/X.md; the docs were installed beside it,
# flat, and every one pointed nowhere.  Each relative link of the installed
# README and docs names an installed file.
doc=$root/usr/share/doc/hotmem
links=0 dead=
for f in "$doc"/README.md "$doc"/docs/*.md; do
	[ -f "$f" ] || continue
	while read -r l; do
		links=$((links + 1))
		[ -e "$(dirname "$f")/$l" ] || dead="$dead ${f#"$doc"/}:$l"
	done < <(grep -o '\]([^)]*)' "$f" | sed 's/^](//; s/)$//; s/#.*//' | grep -v '^$' | grep -vE '^[a-z]+:')
done
check "installed README names docs/ (found its links)" test -f "$doc/docs/engine.md"
is "${dead:- none}" " none" "installed README and docs: each of $links relative links names an installed file"
done_testing
