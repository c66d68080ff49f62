# engine/: the sparse engine, libhotmem.a.  Knows nothing of FUSE, systemd, BPF.
#
# Two archives of the same objects:
#  libhotmem.a  installed; hotmem and hotmemfs link it.  The engine is one
#      relocatable object (ld -r) in which only the API of hotmem.h, the
#      hotmem_ prefix, stays global: online_pages(), pfn_valid() and the
#      other kernel names become local, so they never clash with a program's
#      own.  sdt.h's _.stapsdt.base (weak, hidden) stays as sdt.h made it.
#      hotmem_batch_semaphore (hidden: every probe site reads it) is no API:
#      local too.
#  engine/libhotmem-internal.a  every object as compiled, for the engine's
#      unit tests, which call the kernel functions directly.
include engine/uapi/uapi.mk
ENGINE_SRCS := $(sort $(wildcard engine/*.c)) $(HMUAPI_SRCS)
ENGINE_OBJS := $(ENGINE_SRCS:%.c=$(BUILD)/%.o)
ENGINE_LIB  := $(BUILD)/libhotmem.a
ENGINE_INTERNAL_LIB := $(BUILD)/engine/libhotmem-internal.a
ENGINE_LIBS := -lm
NM      ?= nm
OBJCOPY ?= objcopy

# the API's symbols, listed by prefix so a new hotmem_ function needs no edit
$(BUILD)/engine/libhotmem.o: $(ENGINE_OBJS)
	@echo "  LD -r   $@"; $(LD) -r -o $@.all $^ && \
	$(NM) -g --defined-only $@.all | \
		awk '($$3 ~ /^hotmem_/ && $$3 !~ /_semaphore$$/) || $$3 == "_.stapsdt.base" { print $$3 }' > $@.syms && \
	$(OBJCOPY) --keep-global-symbols=$@.syms $@.all $@ && rm -f $@.all

$(ENGINE_LIB): $(BUILD)/engine/libhotmem.o
	@echo "  AR      $@"; rm -f $@; ar rcs $@ $^

$(ENGINE_INTERNAL_LIB): $(ENGINE_OBJS)
	@echo "  AR      $@"; rm -f $@; ar rcs $@ $^

# hotmem: the engine's own command-line front end (status of a machine).
HOTMEM_BIN := $(BUILD)/hotmem
# libhmuapi.a: --version (hmu_print_version; libhotmem.a keeps only hotmem_ global)
$(HOTMEM_BIN): $(BUILD)/engine/cli/hotmem.o $(BUILD)/engine/cli/from_sysfs.o $(BUILD)/engine/cli/from_sysfs_boot.o $(ENGINE_LIB) $(HMUAPI_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(ENGINE_LIBS) -o $@

BINS += $(ENGINE_LIB) $(HOTMEM_BIN)
INSTALL_BINS += $(HOTMEM_BIN)

# tests/engine/: cmocka unit tests (one program per area, sharing helpers.c),
# the CLI end to end and the USDT probes (*.t), and the engine's benchmark.
ENGINE_TEST_SRCS := $(sort $(wildcard tests/engine/test_*.c))
ENGINE_TESTS     := $(ENGINE_TEST_SRCS:tests/engine/%.c=$(BUILD)/tests/engine/%)
$(ENGINE_TESTS): $(BUILD)/tests/engine/%: $(BUILD)/tests/engine/%.o \
		$(BUILD)/tests/engine/helpers.o $(ENGINE_INTERNAL_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(ENGINE_LIBS) $(CMOCKA_LIBS) -o $@

# test_hotplug sees vmemmap_reshare()'s walk of the host's page tables (cmocka's --wrap)
$(BUILD)/tests/engine/test_hotplug: ALL_LDFLAGS += -Wl,--wrap=physmem_private_pages
# test_hugetlb sees a lost memmap's put back, and refuses its copy's write back (or half-writes it);
# it allocates right after memory_failure()'s dissolve, and sees a freed huge page's tails' init
$(BUILD)/tests/engine/test_hugetlb: ALL_LDFLAGS += -Wl,--wrap=put_lost_memmap_back \
	-Wl,--wrap=physmem_write -Wl,--wrap=dissolve_free_hugetlb_folio -Wl,--wrap=memmap_init_range

# test_virtio_mem: no publish allocates (malloc, calloc, realloc; dladdr() tells the kernel
# model's kmalloc()s by their caller: -rdynamic), the probe makes the readers' copy (calloc);
# and the boot log's copy failing (dmesg_boot_snapshot(): hotmem_boot_dmesg() answers from the ring)
$(BUILD)/tests/engine/test_virtio_mem: ALL_LDFLAGS += -Wl,--wrap=malloc -Wl,--wrap=realloc -Wl,--wrap=calloc -rdynamic

# the internal archive: the benchmark times hm_trace(), a probe site, too
ENGINE_BENCH := $(BUILD)/tests/engine/bench_engine
$(ENGINE_BENCH): $(BUILD)/tests/engine/bench_engine.o $(ENGINE_INTERNAL_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(ENGINE_LIBS) -o $@

UNIT_TESTS   += $(ENGINE_TESTS)
TEST_SCRIPTS += $(sort $(wildcard tests/engine/*.t))
BENCH_PROGS  += $(ENGINE_BENCH)

# the engine's share of the agents' 1024-block burst
ENGINE_BENCH_BURST := $(BUILD)/tests/engine/bench_burst
$(ENGINE_BENCH_BURST): $(BUILD)/tests/engine/bench_burst.o $(ENGINE_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(ENGINE_LIBS) -o $@
BENCH_PROGS  += $(ENGINE_BENCH_BURST)
