# hotmem — top-level build (GNU make only).
#
#   make            build every binary into build/
#   make check      install test deps (root: apt-get), build, run all tests under prove
#   make run        a running machine: hotmemfs, hotmemd, hotmem-trace, a DIMM
#   make bench      figures as ratios against references measured in the same run
#   make install    DESTDIR= PREFIX= (binaries, unit files, man pages, libhotmem.a and its hotmem.pc)
#   make check SANITIZE=address,undefined   the same suite under ASan/UBSan
#
# Each component adds itself through its own fragment (engine/engine.mk,
# fusefs/fusefs.mk, ...); this file only holds what they share.

SHELL      := /bin/bash
CC         ?= gcc
CLANG      ?= clang
PREFIX     ?= /usr/local
DESTDIR    ?=
SANITIZE   ?=
V          ?= 0

comma      := ,
ifeq ($(SANITIZE),)
BUILD      := build
else
BUILD      := build/san-$(subst $(comma),-,$(SANITIZE))
endif

CFLAGS_COMMON := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -pthread -fno-strict-aliasing \
	-Iengine
LDFLAGS_COMMON := -pthread

ifneq ($(SANITIZE),)
CFLAGS_COMMON  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS_COMMON += -fsanitize=$(SANITIZE)
endif

CFLAGS  ?=
LDFLAGS ?=
ALL_CFLAGS  = $(CFLAGS_COMMON) $(CFLAGS)
ALL_LDFLAGS = $(LDFLAGS_COMMON) $(LDFLAGS)

# Components append to these.
BINS         :=
UNIT_TESTS   :=
TEST_SCRIPTS :=
BENCH_PROGS  :=
INSTALL_BINS :=
CLEAN_FILES  :=

.PHONY: all check run bench install install-pc clean deps deps-run distclean fmt
all:

# cmocka unit tests print TAP (make check exports CMOCKA_MESSAGE_OUTPUT=TAP)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

# each part builds itself and registers its own tests (tests/<part>/);
# tests/tests.mk adds the tests of the parts together, which run last
include engine/engine.mk
-include fusefs/fusefs.mk
-include daemon/daemon.mk
-include bpf/bpf.mk
include tests/tests.mk

all: $(BINS) $(UNIT_TESTS) $(BENCH_PROGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(if $(filter 1,$(V)),,@echo "  CC      $<";)$(CC) $(ALL_CFLAGS) $(CFLAGS_$(subst /,_,$(dir $<))) -MMD -MP -c $< -o $@

# Dependencies: one idempotent script; apt-get as root, advice otherwise.
deps:
	@scripts/deps.sh check

deps-run:
	@scripts/deps.sh run

PROVE ?= prove
# Every test file under timeout (the test's whole process group): a test
# that hangs fails alone in TEST_TIMEOUT seconds instead of holding the
# suite until CI's own limit (the longest takes ~40 s, a first systemd
# rootfs build a few minutes).  stdin is /dev/null: timeout puts the test
# in its own process group, where a read of the terminal would stop it.
# scripts/test-exec.sh keeps each file's TAP in $(BUILD)/test-logs, and
# scripts/skips.sh lists every skipped check with its reason at the end,
# scripts/failures.sh each failed file with its "not ok" lines, their
# diagnostics and the end of its stderr, last (the end of a CI log).
TEST_TIMEOUT ?= 1200
check: deps
	@$(MAKE) --no-print-directory fuzz-build
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory faults-san
	@$(MAKE) --no-print-directory tsan-build
	@export HOTMEM_BUILD=$(abspath $(BUILD)) HOTMEM_SRC=$(CURDIR) \
		CMOCKA_MESSAGE_OUTPUT=TAP SANITIZE=$(SANITIZE) \
		HOTMEM_FAULTS_BUILD=$(if $(SANITIZE),,$(abspath $(FAULTS_BUILD))) \
		HOTMEM_TSAN_BUILD=$(if $(SANITIZE),,$(abspath $(TSAN_BUILD))) \
		TSAN_OPTIONS="$(TSAN_OPTIONS) history_size=7 suppressions=$(CURDIR)/tests/tsan.supp"; \
	export HOTMEM_TEST_LOGS=$(abspath $(BUILD))/test-logs TEST_TIMEOUT=$(TEST_TIMEOUT); \
	rm -rf "$$HOTMEM_TEST_LOGS" && mkdir -p "$$HOTMEM_TEST_LOGS" || exit 1; \
	rc=0; $(PROVE) --exec '$(CURDIR)/scripts/test-exec.sh' --timer $(PROVE_FLAGS) \
		$(UNIT_TESTS) $(TEST_SCRIPTS) </dev/null || rc=$$?; \
	bash tests/enable_uring.sh restore; \
	scripts/skips.sh "$$HOTMEM_TEST_LOGS"; scripts/failures.sh "$$HOTMEM_TEST_LOGS"; exit $$rc

# make run builds what it runs, no test programs: the installed binaries
# but hotmem-conform.  On a terminal it runs until Ctrl-C; without one it
# walks through the scripted commands and exits (HOTMEM_RUN=walk|wait).
RUN_BINS = $(filter-out %/hotmem-conform,$(INSTALL_BINS))
.PHONY: run-bins
run-bins: $(RUN_BINS)
run: deps-run
	@$(MAKE) --no-print-directory run-bins
	@scripts/run.sh $(abspath $(BUILD))

# the full agents x settings x machines x events matrix (docs/agents.md)
.PHONY: conform
# make conform RULES=FILE AGENT='CMD' INTENT=POLICY: yours against the full
# matrix (INTENT: what they mean, hotmem-conform --intent, after each)
# Each one shell word whatever it holds (AGENT="sh -c 'echo \$$1'"): its raw
# value (no make expansion of a $), in single quotes, each ' as '\''.
conform_arg = '$(subst ','\'',$(value $(1)))'
conform: deps
	@$(MAKE) --no-print-directory all
	@$(BUILD)/hotmem-conform --full \
		$(if $(value RULES),--rules $(call conform_arg,RULES) $(if $(value INTENT),--intent $(call conform_arg,INTENT))) \
		$(if $(value AGENT),--agent $(call conform_arg,AGENT) $(if $(value INTENT),--intent $(call conform_arg,INTENT))) \
		--json $(BUILD)/conform.json

bench: deps
	@$(MAKE) --no-print-directory all
	@HOTMEM_BUILD=$(abspath $(BUILD)) scripts/bench.sh $(BENCH_PROGS)

UNIT_FILES := $(wildcard unit-files/*.service unit-files/*.socket)
# hotmemd.conf is the daemon's example configuration; *-emulation.conf are
# systemd drop-ins, shipped as examples (they only make sense with hotmemfs)
CONF_FILES := $(wildcard unit-files/hotmemd.conf)
DROPINS    := $(wildcard unit-files/*-emulation.conf)
MAN1 := $(wildcard man/*.1)
MAN8 := $(wildcard man/*.8)
# units and drop-ins are written for PREFIX=/usr/local; install generates
# them for the PREFIX given, so that ExecStart= names the installed binary
UNIT_SED := s|/usr/local/bin/|$(PREFIX)/bin/|g
# install_units FILES DIR
install_units = $(foreach f,$(1),sed '$(UNIT_SED)' $(f) >$(2)/$(notdir $(f)) && chmod 0644 $(2)/$(notdir $(f)) &&) true

# libhotmem.a's pkg-config file for PREFIX (a target of its own: tests/docs/engine-pkgconfig.t)
install-pc:
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|' \
	    -e "s|@VERSION@|$$(sed -n 's/^#define HMU_VERSION \"\(.*\)\"$$/\1/p' engine/uapi/hm_version.h)|" \
	    engine/hotmem.pc.in >$(DESTDIR)$(PREFIX)/lib/pkgconfig/hotmem.pc
	chmod 0644 $(DESTDIR)$(PREFIX)/lib/pkgconfig/hotmem.pc

install: $(BINS) install-pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/systemd/system \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/doc/hotmem $(DESTDIR)$(PREFIX)/include/hotmem \
		$(DESTDIR)$(PREFIX)/lib $(DESTDIR)/etc/hotmem
	install -m 0755 $(INSTALL_BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(ENGINE_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 0644 engine/hotmem.h engine/hotmem_probes.h $(DESTDIR)$(PREFIX)/include/hotmem/
	$(call install_units,$(UNIT_FILES),$(DESTDIR)$(PREFIX)/lib/systemd/system)
	install -D -m 0644 daemon/hotmemd.catalog $(DESTDIR)$(PREFIX)/lib/systemd/catalog/hotmemd.catalog
	$(if $(MAN1),install -m 0644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/)
	$(if $(MAN8),install -m 0644 $(MAN8) $(DESTDIR)$(PREFIX)/share/man/man8/)
	$(if $(CONF_FILES),install -m 0644 $(CONF_FILES) $(DESTDIR)/etc/hotmem/)
	$(if $(DROPINS),install -d $(DESTDIR)$(PREFIX)/share/doc/hotmem/examples)
	$(call install_units,$(DROPINS),$(DESTDIR)$(PREFIX)/share/doc/hotmem/examples)
	install -m 0644 README.md CHANGELOG.md $(DESTDIR)$(PREFIX)/share/doc/hotmem/
	# docs/ as in the tree: README's links are docs/X.md (tests/daemon/55-install.t)
	install -d $(DESTDIR)$(PREFIX)/share/doc/hotmem/docs
	install -m 0644 $(wildcard docs/*.md) $(DESTDIR)$(PREFIX)/share/doc/hotmem/docs/

fmt:
	clang-format -i $(wildcard engine/*.[ch] fusefs/*.[ch] daemon/*.[ch] bpf/*.[ch] tests/engine/*.c)

clean:
	rm -rf build $(CLEAN_FILES)

# object files of programs are kept, not deleted as intermediates
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
