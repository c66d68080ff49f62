# fusefs/: hotmemfs (FUSE sysroot backed by the engine) and hotmemctl (its CLI).
# liburing: FUSE over io_uring (uring.c, --io-uring)
HMFS_PKGS        := fuse3 json-c liburing
CFLAGS_fusefs_   := $(shell pkg-config --cflags $(HMFS_PKGS))
CFLAGS_tests_fusefs_ := $(shell pkg-config --cflags fuse3 json-c) -Ifusefs
HMFS_LIBS        := $(shell pkg-config --libs $(HMFS_PKGS))
JSONC_LIBS       := $(shell pkg-config --libs json-c)

# Engine-free pieces: unit-tested on their own, shared by both binaries;
# the kernel's strings and parsers come from engine/uapi (libhmuapi.a).
HMFS_CORE_OBJS := $(addprefix $(BUILD)/fusefs/,sysfs_parse.o uevent.o netns_owner.o ctlargs.o crc32.o)
HMFS_OBJS := $(HMFS_CORE_OBJS) \
	$(addprefix $(BUILD)/fusefs/,tree.o incarn.o htab.o nodelink.o nodecpu.o acpi.o iattr.o attrs.o vmstat.o pagetypeinfo.o kpage.o machine.o devlock.o json.o fs.o splice.o uring.o events.o dev.o ctl.o qmp.o \
		ctlsock.o qmpread.o state.o state_profile.o main.o)
# the fuzz harnesses link these objects but main's (tests/fuzz/fuzz.mk
# FUZZ_HMFS_REST), uring.o among them: its library too (target-specific,
# appended to fuzz.mk's list whenever that is read)
$(BUILD)/fuzz/fuzz_%: FUZZ_HMFS_LIBS += $(shell pkg-config --libs liburing)
HMCTL_OBJS := $(addprefix $(BUILD)/fusefs/,hotmemctl.o map.o sysfs_parse.o ctlargs.o export.o)

$(BUILD)/hotmemfs: $(HMFS_OBJS) $(ENGINE_LIB) $(HMUAPI_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $(HMFS_OBJS) $(ENGINE_LIB) $(HMUAPI_LIB) $(ENGINE_LIBS) $(HMFS_LIBS) -o $@

$(BUILD)/hotmemctl: $(HMCTL_OBJS) $(HMUAPI_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(JSONC_LIBS) -o $@

# hotmem-enter: namespaces only, no engine, no FUSE library (it runs hotmemfs);
# engine/uapi for --version
$(BUILD)/hotmem-enter: $(BUILD)/fusefs/enter.o $(BUILD)/fusefs/netns_owner.o $(BUILD)/fusefs/udev_rules.o \
		$(HMUAPI_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ -o $@

# hotmem-conform: the onlining-agent conformance matrix (fusefs/conform_*.c):
# no engine, no FUSE library (it runs hotmem-enter, hotmemctl and the
# agents); engine/uapi for the uevent wire format, json-c
# udev_rules.o: a --rules FILE's name, as hotmem-enter gives it
CONFORM_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard fusefs/conform_*.c))) \
	$(BUILD)/fusefs/udev_rules.o
$(BUILD)/hotmem-conform: $(CONFORM_OBJS) $(HMUAPI_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(JSONC_LIBS) -o $@
# its judging and printing as a cmocka test (tests/agents/test_conform.c)
CFLAGS_tests_agents_ := $(shell pkg-config --cflags json-c) -Ifusefs
$(BUILD)/tests/agents/test_conform: $(BUILD)/tests/agents/test_conform.o \
		$(filter-out %/conform_main.o,$(CONFORM_OBJS)) $(HMUAPI_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(JSONC_LIBS) $(CMOCKA_LIBS) -o $@
UNIT_TESTS   += $(BUILD)/tests/agents/test_conform

BINS         += $(BUILD)/hotmemfs $(BUILD)/hotmemctl $(BUILD)/hotmem-enter $(BUILD)/hotmem-conform
INSTALL_BINS += $(BUILD)/hotmemfs $(BUILD)/hotmemctl $(BUILD)/hotmem-enter $(BUILD)/hotmem-conform

# cmocka unit tests: the engine-free pieces, and the tree/attributes
# against a booted engine (test_tree: no FUSE, no root needed)
HMFS_UNIT := $(patsubst tests/fusefs/%.c,$(BUILD)/tests/fusefs/%,$(sort $(wildcard tests/fusefs/test_*.c)))
$(BUILD)/tests/fusefs/test_tree: $(BUILD)/tests/fusefs/test_tree.o $(filter-out %/main.o,$(HMFS_OBJS)) $(ENGINE_LIB) $(HMUAPI_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(ENGINE_LIBS) $(HMFS_LIBS) $(CMOCKA_LIBS) -o $@
# state_profile.c compiled in (its statics) over the engine's built-ins
$(BUILD)/tests/fusefs/test_state_profile: $(BUILD)/tests/fusefs/test_state_profile.o $(ENGINE_LIB) $(HMUAPI_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(ENGINE_LIBS) $(JSONC_LIBS) $(CMOCKA_LIBS) -o $@
$(BUILD)/tests/fusefs/test_map: $(BUILD)/tests/fusefs/test_map.o $(BUILD)/fusefs/map.o $(HMFS_CORE_OBJS) $(HMUAPI_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(JSONC_LIBS) $(CMOCKA_LIBS) -o $@
$(BUILD)/tests/fusefs/test_%: $(BUILD)/tests/fusefs/test_%.o $(HMFS_CORE_OBJS) $(HMUAPI_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(JSONC_LIBS) $(CMOCKA_LIBS) -o $@
UNIT_TESTS   += $(HMFS_UNIT)

# integration tests: mount hotmemfs and hold it against tests/fixtures/reference
TEST_SCRIPTS += $(sort $(wildcard tests/fusefs/*.t))
# hotmem-enter: real udevd/udevadm inside the entered machine (#11)
TEST_SCRIPTS += $(sort $(wildcard tests/agents/*.t))
BENCH_PROGS  += tests/agents/bench_burst.sh

# helpers the .t scripts run (no engine)
# the reference's own probe, built from the fixture itself so that its output
# compares line for line with the reference: not held to -Werror.
$(BUILD)/tests/fusefs/readprobe: tests/fixtures/reference/scripts/readprobe.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"; $(CC) -O2 -w $< -o $@
$(BUILD)/tests/fusefs/bench_hotmemfs: $(BUILD)/tests/fusefs/bench_hotmemfs.o
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ -lm -o $@
# the floor bench_hotmemfs holds hotmemfs against: a minimal libfuse file server
$(BUILD)/tests/fusefs/fuse_floor: $(BUILD)/tests/fusefs/fuse_floor.o $(BUILD)/fusefs/uring.o
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(HMFS_LIBS) -o $@
BINS         += $(BUILD)/tests/fusefs/readprobe $(BUILD)/tests/fusefs/fuse_floor
BENCH_PROGS  += $(BUILD)/tests/fusefs/bench_hotmemfs
