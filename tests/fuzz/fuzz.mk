# tests/fuzz/: libFuzzer harnesses (clang, ASan+UBSan).
# `make fuzz` runs each for FUZZ_SECONDS; `make check` runs smoke.t, a
# short pass over the corpora.
#
# Engine harnesses: fuzz_cmdline, fuzz_profile, fuzz_engine_ops (engine only).
# hotmemfs harnesses (FUZZ_HMFS_NAMES): the sysfs parsers and the whole
# store path, the control protocol and hotmemctl's argument translation,
# the state-file loader; they link fusefs/ objects built with the same
# clang flags into $(FUZZ_DIR)/fusefs/.
FUZZ_DIR      := $(BUILD)/fuzz
FUZZ_CFLAGS   := -std=gnu11 -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer -D_GNU_SOURCE -Iengine -Itests/fuzz -pthread -MMD -MP
FUZZ_ENGINE_OBJS := $(ENGINE_SRCS:engine/%.c=$(FUZZ_DIR)/engine/%.o)
FUZZ_SRCS     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_PROGS    := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_SECONDS  ?= 60
HAVE_CLANG_FUZZER := $(shell echo 'int LLVMFuzzerTestOneInput(const char*d,long n){return 0;}' | \
	$(CLANG) -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null && echo yes)

FUZZ_HMFS_NAMES := sysfs_parse sysfs_store ctl ctlargs state
FUZZ_HMFS_PROGS := $(FUZZ_HMFS_NAMES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_HMFS_CFLAGS := $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined -D_FILE_OFFSET_BITS=64 \
	-Ifusefs $(shell pkg-config --cflags fuse3 json-c 2>/dev/null)
FUZZ_HMFS_LIBS := $(shell pkg-config --libs fuse3 json-c 2>/dev/null) -lm
# fusefs.mk's engine-free pieces, from its list (crc32.o came after this one was written out)
FUZZ_HMFS_CORE := $(patsubst $(BUILD)/fusefs/%,$(FUZZ_DIR)/fusefs/%,$(HMFS_CORE_OBJS))
# engine/uapi: inside FUZZ_ENGINE_OBJS already; the engine-free harnesses add it
FUZZ_UAPI_OBJS := $(HMUAPI_SRCS:engine/%.c=$(FUZZ_DIR)/engine/%.o)
# hotmemfs's own objects but main and the control socket: from fusefs.mk's
# list, so that a new fusefs/ file does not break the harnesses' link
FUZZ_HMFS_REST := $(patsubst $(BUILD)/fusefs/%,$(FUZZ_DIR)/fusefs/%,\
	$(filter-out $(HMFS_CORE_OBJS) %/ctl.o %/ctlsock.o %/main.o,$(HMFS_OBJS)))
FUZZ_HMFS_CTL  := $(addprefix $(FUZZ_DIR)/fusefs/,ctl.o ctlsock.o)
FUZZ_ENGINE_PROGS := $(filter-out $(FUZZ_HMFS_PROGS),$(FUZZ_PROGS))

$(FUZZ_DIR)/engine/%.o: engine/%.c
	@mkdir -p $(dir $@)
	@echo "  CLANG   $<"; $(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

# engine/uapi/version.c includes the generated hmu_git.h (uapi.mk)
$(FUZZ_DIR)/engine/uapi/version.o: $(HMU_GIT_H)
$(FUZZ_DIR)/engine/uapi/version.o: FUZZ_CFLAGS += -I$(HMU_GEN)

$(FUZZ_DIR)/fusefs/%.o: fusefs/%.c
	@mkdir -p $(dir $@)
	@echo "  CLANG   $<"; $(CLANG) $(FUZZ_HMFS_CFLAGS) -c $< -o $@

$(FUZZ_ENGINE_PROGS): $(FUZZ_DIR)/%: tests/fuzz/%.c $(FUZZ_ENGINE_OBJS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"; $(CLANG) $(filter-out -MMD -MP,$(FUZZ_CFLAGS)) -fsanitize=fuzzer $(filter %.c %.o,$^) -lm -o $@

# engine-free
$(FUZZ_DIR)/fuzz_sysfs_parse $(FUZZ_DIR)/fuzz_ctlargs: $(FUZZ_DIR)/%: tests/fuzz/%.c $(FUZZ_HMFS_CORE) \
		$(FUZZ_UAPI_OBJS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"; $(CLANG) $(filter-out -MMD -MP,$(FUZZ_HMFS_CFLAGS)) -fsanitize=fuzzer $(filter %.c %.o,$^) $(FUZZ_HMFS_LIBS) -o $@
# a booted engine behind the tree, attributes, devices and state file
$(FUZZ_DIR)/fuzz_sysfs_store $(FUZZ_DIR)/fuzz_state: $(FUZZ_DIR)/%: tests/fuzz/%.c \
		$(FUZZ_HMFS_CORE) $(FUZZ_HMFS_REST) $(FUZZ_HMFS_CTL) $(FUZZ_ENGINE_OBJS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"; $(CLANG) $(filter-out -MMD -MP,$(FUZZ_HMFS_CFLAGS)) -fsanitize=fuzzer $(filter %.c %.o,$^) $(FUZZ_HMFS_LIBS) -o $@
# the harnesses with a hotmemfs context are rebuilt when it changes (the
# link rules drop -MMD, so no .d lists it)
$(FUZZ_DIR)/fuzz_sysfs_store $(FUZZ_DIR)/fuzz_state $(FUZZ_DIR)/fuzz_ctl: tests/fuzz/fuzz_hmfs.h
# the command layer through hmfs_qmp_dispatch(), the socket's way in; the socket is linked, never started
$(FUZZ_DIR)/fuzz_ctl: tests/fuzz/fuzz_ctl.c $(FUZZ_HMFS_CORE) $(FUZZ_HMFS_REST) $(FUZZ_HMFS_CTL) \
		$(FUZZ_ENGINE_OBJS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"; $(CLANG) $(filter-out -MMD -MP,$(FUZZ_HMFS_CFLAGS)) -fsanitize=fuzzer $(filter %.c %.o,$^) \
		$(FUZZ_HMFS_LIBS) -o $@

ifeq ($(HAVE_CLANG_FUZZER),yes)
fuzz-build: $(FUZZ_PROGS)
else
fuzz-build:
	@echo "fuzz: clang with libFuzzer not available (install clang, libclang-rt-14-dev)"
endif

fuzz: fuzz-build
	@for f in $(FUZZ_PROGS); do n=$$(basename $$f); n=$${n#fuzz_}; \
		mkdir -p $(FUZZ_DIR)/corpus/$$n; \
		echo "== $$n ($(FUZZ_SECONDS) s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -rss_limit_mb=4096 \
			$(FUZZ_DIR)/corpus/$$n tests/fuzz/corpus/$$n || exit 1; done

TEST_SCRIPTS += tests/fuzz/smoke.t

.PHONY: fuzz fuzz-build
.SECONDARY: $(FUZZ_ENGINE_OBJS) $(FUZZ_HMFS_CORE) $(FUZZ_HMFS_REST) $(FUZZ_HMFS_CTL)
