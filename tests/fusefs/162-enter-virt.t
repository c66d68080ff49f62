#!/bin/bash
# Inside hotmem-enter, systemd-detect-virt answers for the machine as
# --virt says, not for the host it runs on (usereye6 H: it said "docker",
# this CI host's container, so RHEL 9's own memory rule, 40-redhat.rules,
# picked its zone by where the test ran): no container (/.dockerenv, PID
# 1's $container, /run's markers are the host's and hidden), and a VM by
# the machine's DMI, QEMU's i440FX for kvm, a bare-metal PC's for none.
# CPUID is the host's and answers --vm first: on a VM host both settings
# say the host's hypervisor, on bare metal kvm says "qemu" (by DMI) and
# none "none".  The RHEL rule onlines a DIMM as that answer says, and
# hotmem-conform's virt: line, above its table, is that answer.  Run
# with container=podman in its environment, as podman gives it.
. "$(dirname "$0")/lib.sh"
need_enter
need_tool systemd-detect-virt systemd
need_tool /lib/systemd/systemd-udevd udev
need_tool udevadm udev

# 40-redhat.rules' memory stanza (RHEL 9, systemd-252), udevd's paths
cat >"$TMP/40-redhat-mem.rules" <<'R'
SUBSYSTEM!="memory", GOTO="memory_hotplug_end"
ACTION!="add", GOTO="memory_hotplug_end"
PROGRAM="/bin/uname -p", RESULT=="s390*", GOTO="memory_hotplug_end"
ENV{.state}="online"
PROGRAM="/usr/bin/systemd-detect-virt", RESULT=="none", ENV{.state}="online_movable"
ATTR{state}=="offline", ATTR{state}="$env{.state}"
LABEL="memory_hotplug_end"
R
# what runs inside: the answers, the DMI, then the rule on one DIMM
cat >"$TMP/inside.sh" <<'S'
say() { echo "$1=$2"; }
say plain "$(systemd-detect-virt)"
say vm "$(systemd-detect-virt --vm)"
c=$(systemd-detect-virt --container)
say container "$c rc $?"
say product "$(cat /sys/class/dmi/id/product_name)"
say vendor "$(cat /sys/class/dmi/id/sys_vendor)"
say dockerenv "$(test -e /.dockerenv && echo yes || echo no)"
say environ "$(tr '\0' '\n' </proc/1/environ | grep -c '^container=')"
unshare --user --map-root-user true 2>"$TMP_IN/userns.err"
say userns "rc $?"
say cwd "$(pwd -P)"
M=/sys/devices/system/memory
before=$(ls -d $M/memory* | sort)
/lib/systemd/systemd-udevd 2>"$TMP_IN/udevd.err" &
udevd=$!
i=0
until udevadm control --ping 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 200 ] && break; sleep 0.05
done
hotmemctl device_add pc-dimm id=d1 size=256M >/dev/null
udevadm settle -t 30
new=$(ls -d $M/memory* | sort | comm -13 <(echo "$before") -)
say blocks "$(echo $new | wc -w)"
say states "$(for b in $new; do cat $b/state; done | sort -u | tr '\n' ' ')"
say zones "$(for b in $new; do cat $b/valid_zones; done | sort -u | tr '\n' ' ')"
kill $udevd
S

inside() {	# inside VIRT: the answers of a machine entered with --virt VIRT, as NAME=VALUE
	container=podman TMP_IN=$TMP "$ENTER" --virt "$1" --rules "$TMP/40-redhat-mem.rules" --profile qemu-512m \
		--cmdline memhp_default_state=offline -- bash "$TMP/inside.sh" >"$TMP/$1.out" 2>"$TMP/$1.err"
}
v() { sed -n "s/^$2=//p" "$TMP/$1.out"; }

inside kvm
is "$?" 0 "hotmem-enter --virt kvm ran the command"
inside none
is "$?" 0 "hotmem-enter --virt none ran the command"
# CPUID is the host's: a VM host's hypervisor answers --vm for both
if grep -qw hypervisor /proc/cpuinfo; then
	host=$(v none vm)
	ok "# the host is a VM (CPUID: $host): --vm is the host's hypervisor for either setting"
	case $host in none | vm-other | microsoft) want_kvm=qemu ;; *) want_kvm=$host ;; esac
	want_none=$host
	isnt_none=$([ "$host" != none ] && echo 0 || echo 1)
	tap_ok "$isnt_none" "--virt none on a VM host: --vm is its CPUID's, not none ($host)"
else
	want_kvm=qemu
	want_none=none
	is "$(v none vm)" none "--virt none on bare metal: systemd-detect-virt --vm says none"
fi
# a user namespace (bwrap, rootless podman, PrivateUsers=): the copy of /
# without /.dockerenv was entered by chroot(2), and the kernel refuses one
# to a chrooted process (EPERM), on a Docker host only
if unshare --user --map-root-user true 2>/dev/null; then
	[ -e /.dockerenv ] && ok "# this host has /.dockerenv: the command runs in a copy of /"
	for s in kvm none; do
		is "$(v $s userns)" "rc 0" "--virt $s: unshare --user --map-root-user works inside"
	done
else
	ok "# skip: no user namespaces on this host itself"
fi
for s in kvm none; do
	is "$(v $s cwd)" "$(pwd -P)" "--virt $s: the command runs in the directory hotmem-enter was run from"
done
for s in kvm none; do
	is "$(v $s container)" "none rc 1" "--virt $s: systemd-detect-virt --container says none (exit 1)"
	is "$(v $s dockerenv) $(v $s environ)" "no 0" "--virt $s: no /.dockerenv, no \$container in PID 1's environment"
done
is "$(v kvm vm)" "$want_kvm" "--virt kvm: systemd-detect-virt --vm says $want_kvm"
is "$(v kvm plain)" "$want_kvm" "--virt kvm: systemd-detect-virt says $want_kvm, not the host's container"
is "$(v none plain)" "$want_none" "--virt none: systemd-detect-virt says $want_none"
is "$(v kvm vendor)|$(v kvm product)" "QEMU|Standard PC (i440FX + PIIX, 1996)" \
	"--virt kvm: the DMI is QEMU's pc machine"
is "$(v none vendor)" hotmem "--virt none: the DMI is a bare-metal PC's, no VM vendor"
# the RHEL rule: online_movable where the answer is none, else online (Normal)
for s in kvm none; do
	want=Normal
	[ "$(v $s plain)" = none ] && want=Movable
	is "$(v $s blocks) $(v $s states)$(v $s zones)" "2 online $want " \
		"--virt $s: 40-redhat.rules onlines the DIMM's 2 blocks into $want ($(v $s plain))"
done
# hotmem-conform says above its table what its virt rule saw inside
if [ -x "$HOTMEM_BUILD/hotmem-conform" ]; then
	"$HOTMEM_BUILD/hotmem-conform" --full --only '^virt-rule memhp_default_state=offline qemu-512m dimm1$' \
		>"$TMP/conform" 2>"$TMP/conform.err"
	is "$(sed -n 's/^virt: systemd-detect-virt inside the machines says \([^ ]*\) .*/\1/p' "$TMP/conform")" \
		"$(v kvm plain)" "hotmem-conform's virt: line is the answer inside ($(v kvm plain))"
	grep -A1 '^virt: ' "$TMP/conform" | grep -q '^agent '
	tap_ok $? "... the line just above the table's header"
fi
"$ENTER" --virt xen -- true 2>"$TMP/bad.err"
is "$?" 125 "--virt xen: refused"
grep -q "virt xen: kvm or none" "$TMP/bad.err"
tap_ok $? "--virt xen: says what it takes"
for s in kvm none; do sed 's/^/# /' "$TMP/$s.err" | grep -v "^# hotmemfs: " | head -5; done
done_testing
