# engine/: the sparse engine, libhotmem.a.  Knows nothing of FUSE, systemd, BPF.
ENGINE_SRCS := $(sort $(wildcard engine/*.c))
ENGINE_OBJS := $(ENGINE_SRCS:%.c=$(BUILD)/%.o)
ENGINE_LIB  := $(BUILD)/libhotmem.a
ENGINE_LIBS := -lm

$(ENGINE_LIB): $(ENGINE_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"; rm -f $@; ar rcs $@ $^

# hotmem: the engine's own command-line front end (status of a machine).
HOTMEM_BIN := $(BUILD)/hotmem
$(HOTMEM_BIN): $(BUILD)/engine/cli/hotmem.o $(ENGINE_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(ENGINE_LIBS) -o $@

BINS += $(ENGINE_LIB) $(HOTMEM_BIN)
INSTALL_BINS += $(HOTMEM_BIN)

# tests/engine/: cmocka unit tests (one program per area, sharing helpers.c),
# the CLI end to end and the USDT probes (*.t), and the engine's benchmark.
ENGINE_TEST_SRCS := $(sort $(wildcard tests/engine/test_*.c))
ENGINE_TESTS     := $(ENGINE_TEST_SRCS:tests/engine/%.c=$(BUILD)/tests/engine/%)
$(ENGINE_TESTS): $(BUILD)/tests/engine/%: $(BUILD)/tests/engine/%.o \
		$(BUILD)/tests/engine/helpers.o $(ENGINE_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(ENGINE_LIBS) $(CMOCKA_LIBS) -o $@

ENGINE_BENCH := $(BUILD)/tests/engine/bench_engine
$(ENGINE_BENCH): $(BUILD)/tests/engine/bench_engine.o $(ENGINE_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(ENGINE_LIBS) -o $@

UNIT_TESTS   += $(ENGINE_TESTS)
TEST_SCRIPTS += $(sort $(wildcard tests/engine/*.t))
BENCH_PROGS  += $(ENGINE_BENCH)
