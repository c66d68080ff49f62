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

# state-group-commit.t's LD_PRELOAD shim: fdatasync() slowed or failed on
# demand.  Never sanitized: it is preloaded into any hotmemfs build.
$(BUILD)/tests/reliability/sync_shim.so: tests/reliability/sync_shim.c
	@mkdir -p $(dir $@)
	$(if $(filter 1,$(V)),,@echo "  CC      $<";)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror \
		-D_GNU_SOURCE -fPIC -shared $< -o $@ -ldl
all: $(BUILD)/tests/reliability/sync_shim.so
