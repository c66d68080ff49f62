# tests/: what tests the parts together, after every part's own tests
# (each part's fragment registers those: engine/engine.mk tests/engine/,
# fusefs/fusefs.mk tests/fusefs/, daemon/daemon.mk tests/daemon/,
# bpf/bpf.mk tests/bpf/ and tests/kernel/).  tests/README.md lists them all.

# the libFuzzer harnesses (engine and hotmemfs): smoke.t here, `make fuzz`
-include tests/fuzz/fuzz.mk
# make run's walk-through (no terminal)
TEST_SCRIPTS += $(sort $(wildcard tests/run/*.t))
# man pages and --help agree with the programs
TEST_SCRIPTS += $(sort $(wildcard tests/docs/*.t))
# the kernel's own memory-hotplug selftest on hotmemfs
TEST_SCRIPTS += tests/selftest/mem-on-off.t tests/selftest/enter-selftest.t
# hotmemfs.service + hotmemd.service under systemd in an nspawn container
TEST_SCRIPTS += $(sort $(wildcard tests/systemd/*.t))
# last: stress, faults, crashes, security
-include tests/reliability/reliability.mk
