#!/bin/bash
# unit-files/hotmemd.service (+ the emulation drop-in): systemd-analyze
# verify is clean, and the sandbox's exposure is at most 2.5.
. "$(dirname "$0")/lib.sh"
command -v systemd-analyze >/dev/null ||
	skip_all "systemd-analyze missing (apt-get install systemd): unit files NOT checked"
need_hotmemd
units=$TMP/units
mkdir -p "$units/hotmemd.service.d"
src=$HOTMEM_SRC/unit-files
# verify wants ExecStart= to exist: point it at the build
sed "s|/usr/local/bin/hotmemd|$HOTMEMD|" "$src/hotmemd.service" >"$units/hotmemd.service"

out=$(systemd-analyze verify --man=no "$units/hotmemd.service" 2>&1)
rc=$?
[ -z "$out" ] || echo "$out" | sed 's/^/# /'
check "systemd-analyze verify hotmemd.service: clean" test "$rc" = 0 -a -z "$out"

out=$(systemd-analyze security --offline=yes --threshold=3 "$units/hotmemd.service" 2>&1)
exposure=$(sed -n 's/.*Overall exposure level for hotmemd.service: \([0-9.]*\).*/\1/p' <<<"$out")
echo "# exposure: $exposure"
check "systemd-analyze security --offline=yes: exposure $exposure <= 2.5" \
	awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.5) }'

# the emulation drop-in, next to a stand-in hotmemfs.service
sed "s|/usr/local/bin/hotmemd|$HOTMEMD|" "$src/hotmemd-emulation.conf" \
	>"$units/hotmemd.service.d/emulation.conf"
printf '[Unit]\nDescription=stand-in\n[Service]\nExecStart=/bin/true\nPrivateNetwork=yes\n' \
	>"$units/hotmemfs.service"
out=$(SYSTEMD_UNIT_PATH=$units: systemd-analyze verify --man=no "$units/hotmemd.service" 2>&1)
rc=$?
[ -z "$out" ] || echo "$out" | sed 's/^/# /'
check "verify with the emulation drop-in: clean" test "$rc" = 0 -a -z "$out"
out=$(SYSTEMD_UNIT_PATH=$units: systemd-analyze security --offline=yes --threshold=3 \
	"$units/hotmemd.service" 2>&1)
exposure=$(sed -n 's/.*Overall exposure level for hotmemd.service: \([0-9.]*\).*/\1/p' <<<"$out")
check "emulation drop-in keeps exposure $exposure <= 2.5" \
	awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.5) }'

# hotmemfs's drop-in for the same setup upholds hotmemd (Upholds=, systemd
# 249+): a hotmemfs crash stops hotmemd (BindsTo=) and its Restart= brings
# hotmemd back (tests/reliability/crash.t).  Not hotmemfs.service itself:
# there it would start hotmemd.service, which without its emulation drop-in
# onlines the real kernel's memory, whenever hotmemfs starts.
grep -qx 'Upholds=hotmemd.service' "$src/hotmemfs-emulation.conf"
check "hotmemfs-emulation.conf: Upholds=hotmemd.service" test $? = 0
! grep -q '^Upholds=' "$src/hotmemfs.service"
check "hotmemfs.service itself upholds nothing" test $? = 0
mkdir -p "$units/hotmemfs.service.d"
cp "$src/hotmemfs-emulation.conf" "$units/hotmemfs.service.d/emulation.conf"
out=$(SYSTEMD_UNIT_PATH=$units: systemd-analyze verify --man=no "$units/hotmemfs.service" 2>&1)
rc=$?
[ -z "$out" ] || echo "$out" | sed 's/^/# /'
check "verify the stand-in hotmemfs.service with hotmemfs-emulation.conf: clean (Upholds= known)" \
	test "$rc" = 0 -a -z "$out"

# the example configuration is valid
"$HOTMEMD" --config "$src/hotmemd.conf" --check-config >/dev/null 2>"$TMP/err"
is "$?" 0 "unit-files/hotmemd.conf passes --check-config"

done_testing
