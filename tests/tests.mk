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

# make units [PART=daemon]: the cmocka unit tests under prove, one part's
# (build/tests/PART/) or all, the test programs alone.  A shell glob of
# their folder (`prove build/tests/daemon/test_*`) takes the .o and .d
# the build keeps beside them too, which prove then tries to run;
# UNIT_TESTS lists the programs.
UNITS_RUN = $(if $(PART),$(filter $(BUILD)/tests/$(PART)/%,$(UNIT_TESTS)),$(UNIT_TESTS))
.PHONY: units
units: $(UNITS_RUN)
	@[ -n "$(UNITS_RUN)" ] || { echo "make units: no unit tests under $(BUILD)/tests/$(PART)/" >&2; exit 2; }
	@export HOTMEM_BUILD=$(abspath $(BUILD)) HOTMEM_SRC=$(CURDIR) CMOCKA_MESSAGE_OUTPUT=TAP; \
		$(PROVE) $(PROVE_FLAGS) $(UNITS_RUN) </dev/null
