# daemon/: hotmemd, the auto-online policy daemon (never links the engine).
HOTMEMD_LIBS   := $(shell pkg-config --libs libsystemd inih 2>/dev/null || echo -lsystemd -linih)
CFLAGS_daemon_ := $(shell pkg-config --cflags libsystemd inih 2>/dev/null)
CFLAGS_tests_daemon_ := $(CFLAGS_daemon_) -Idaemon

HOTMEMD_SRCS := daemon/policy.c daemon/config.c daemon/log.c daemon/sysfs.c \
	daemon/blocks.c daemon/bootblocks.c daemon/online.c daemon/retry.c \
	daemon/coldplug.c daemon/uevent.c daemon/sysroot.c daemon/dyngroups.c \
	daemon/silence.c daemon/missed.c daemon/linkwait.c daemon/statelock.c \
	daemon/socklock.c daemon/keepalive.c daemon/fspath.c daemon/offlined.c \
	daemon/statefile.c
HOTMEMD_OBJS := $(HOTMEMD_SRCS:%.c=$(BUILD)/%.o)
HOTMEMD_BIN  := $(BUILD)/hotmemd

# engine/uapi (the kernel's strings and wire format), never the engine itself
$(HOTMEMD_BIN): $(BUILD)/daemon/main.o $(HOTMEMD_OBJS) $(HMUAPI_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(HOTMEMD_LIBS) -o $@

# cmocka unit tests: each links the daemon objects it tests (not main.o).
DAEMON_TEST_SRCS := $(sort $(wildcard tests/daemon/test_*.c))
DAEMON_TESTS     := $(DAEMON_TEST_SRCS:tests/daemon/%.c=$(BUILD)/tests/daemon/%)
$(BUILD)/tests/daemon/test_%: $(BUILD)/tests/daemon/test_%.o $(HOTMEMD_OBJS) $(HMUAPI_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(HOTMEMD_LIBS) $(CMOCKA_LIBS) -o $@

# helpers the .t scripts and the benchmark use
DAEMON_HELPERS := $(BUILD)/tests/daemon/uevent_send
$(BUILD)/tests/daemon/uevent_send: $(BUILD)/tests/daemon/uevent_send.o
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ -o $@

$(BUILD)/tests/daemon/bench_hotmemd: $(BUILD)/tests/daemon/bench_hotmemd.o
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ -o $@

BINS         += $(HOTMEMD_BIN) $(DAEMON_HELPERS)
INSTALL_BINS += $(HOTMEMD_BIN)
UNIT_TESTS   += $(DAEMON_TESTS)
TEST_SCRIPTS += $(sort $(wildcard tests/daemon/*.t))
BENCH_PROGS  += $(BUILD)/tests/daemon/bench_hotmemd

# keep test objects between runs (they are intermediates of pattern rules)
.SECONDARY: $(DAEMON_TESTS:%=%.o) $(BUILD)/tests/daemon/uevent_send.o \
	$(BUILD)/tests/daemon/bench_hotmemd.o
