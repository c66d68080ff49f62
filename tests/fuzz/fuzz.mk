# tests/fuzz/: libFuzzer harnesses of the engine (clang, ASan+UBSan).
# `make fuzz` runs each for FUZZ_SECONDS; `make check` runs smoke.t, a
# short pass over the corpora.
FUZZ_DIR      := $(BUILD)/fuzz
FUZZ_CFLAGS   := -std=gnu11 -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer -D_GNU_SOURCE -Iengine -Itests/fuzz -pthread -MMD -MP
FUZZ_ENGINE_OBJS := $(ENGINE_SRCS:engine/%.c=$(FUZZ_DIR)/engine/%.o)
FUZZ_SRCS     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_PROGS    := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_SECONDS  ?= 60
HAVE_CLANG_FUZZER := $(shell echo 'int LLVMFuzzerTestOneInput(const char*d,long n){return 0;}' | \
	$(CLANG) -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null && echo yes)

$(FUZZ_DIR)/engine/%.o: engine/%.c
	@mkdir -p $(dir $@)
	@echo "  CLANG   $<"; $(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/%: tests/fuzz/%.c $(FUZZ_ENGINE_OBJS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"; $(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -lm -o $@

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
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$(FUZZ_DIR)/corpus/$$n tests/fuzz/corpus/$$n || exit 1; done

TEST_SCRIPTS += tests/fuzz/smoke.t
.PHONY: fuzz fuzz-build
.SECONDARY: $(FUZZ_ENGINE_OBJS)
