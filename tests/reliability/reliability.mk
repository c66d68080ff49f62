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

# faults.t's last check (hotmemfs exits without a LeakSanitizer report)
# needs hotmemfs built with ASan/LSan (and UBSan).  A plain make check
# builds just that, hotmemfs and hotmemctl from the engine's and their own
# objects, in a directory of its own (build/faults-san) and at -O0: about
# a sixth of the suite's build time where -O2 took half (what LSan finds
# does not depend on it, nor does the test's time, mostly the control
# socket and python).  make check names it to faults.t in
# HOTMEM_FAULTS_BUILD; under make check SANITIZE=... the suite's own build
# is used, and none is built.
FAULTS_BUILD := build/faults-san
.PHONY: faults-san
faults-san:
ifeq ($(SANITIZE),)
	@$(MAKE) --no-print-directory SANITIZE=address,undefined BUILD=$(FAULTS_BUILD) \
		CFLAGS="$(CFLAGS) -O0" $(FAULTS_BUILD)/hotmemfs $(FAULTS_BUILD)/hotmemctl
else
	@:
endif

# tsan.t: a plain make check runs what threads touch under
# ThreadSanitizer too (the project's promise): make tsan-build builds only
# that -- the engine's threaded unit tests, hotmemfs and hotmemctl -- in
# build/san-thread (the directory make SANITIZE=thread uses), and make
# check names it to tsan.t in HOTMEM_TSAN_BUILD; with them sync_shim.so,
# for the files tsan.t runs that hold a sync (never sanitized).  Under
# make check SANITIZE=... nothing is built: the suite runs in its own
# build.
TSAN_BUILD := build/san-thread
TSAN_UNITS := test_stress test_hugetlb test_offline test_hotplug test_online
.PHONY: tsan-build
tsan-build:
ifeq ($(SANITIZE),)
	@$(MAKE) --no-print-directory SANITIZE=thread $(TSAN_BUILD)/hotmemfs $(TSAN_BUILD)/hotmemctl \
		$(TSAN_BUILD)/tests/reliability/sync_shim.so \
		$(addprefix $(TSAN_BUILD)/tests/engine/,$(TSAN_UNITS))
else
	@:
endif

# state-group-commit.t's LD_PRELOAD shim: fdatasync() slowed or failed on
# demand.  Never sanitized: it is preloaded into any hotmemfs build.
$(BUILD)/tests/reliability/sync_shim.so: tests/reliability/sync_shim.c tests/reliability/shim_hold.h
	@mkdir -p $(dir $@)
	$(if $(filter 1,$(V)),,@echo "  CC      $<";)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror \
		-D_GNU_SOURCE -fPIC -shared $< -o $@ -ldl
all: $(BUILD)/tests/reliability/sync_shim.so
