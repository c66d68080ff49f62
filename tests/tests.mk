# tests/: cmocka unit tests (TAP via CMOCKA_MESSAGE_OUTPUT=TAP) and shell
# integration tests (*.t) — all run by prove in `make check`.
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_TESTS  += $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
TEST_SCRIPTS += $(sort $(wildcard tests/integration/*.t))

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/tests/unit/helpers.o $(ENGINE_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(ENGINE_LIBS) $(CMOCKA_LIBS) -o $@

BENCH_SRCS  := $(sort $(wildcard tests/bench/bench_*.c))
BENCH_PROGS += $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/tests/bench/%)
-include tests/fuzz/fuzz.mk

$(BUILD)/tests/bench/%: $(BUILD)/tests/bench/%.o $(ENGINE_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(ENGINE_LIBS) -o $@
TEST_SCRIPTS += tests/selftest/mem-on-off.t
