# tests/reliability/: stress, faults, crashes, security (short in make
# check, after every other test: they drive all the parts at once).
# `make stress` runs stress.t for STRESS_SECONDS.  crash.t boots the Debian
# rootfs of tests/systemd/rootfs.sh, shared with tests/systemd/10-nspawn.t.
TEST_SCRIPTS += $(sort $(wildcard tests/reliability/*.t))

STRESS_SECONDS ?= 60
stress: all
	@export HOTMEM_BUILD=$(abspath $(BUILD)) HOTMEM_SRC=$(CURDIR) SANITIZE=$(SANITIZE) \
		STRESS_SECONDS=$(STRESS_SECONDS); \
	$(PROVE) --exec '' --timer -v tests/reliability/stress.t

.PHONY: stress
