# bpf/: hotmem-trace — libbpf CO-RE programs for the kernel's hotplug path
# and the engine's USDT probes, their loader, and the trace comparison.
#
#   $(BUILD)/bpf/vmlinux.h              from /sys/kernel/btf/vmlinux (bpftool)
#   $(BUILD)/bpf/hotmem_trace.bpf.o     clang -target bpf
#   $(BUILD)/bpf/hotmem_trace.skel.h    bpftool gen skeleton
#   $(BUILD)/hotmem-trace               the loader (+ compare)
#   $(BUILD)/hotmem-trace-static        the same, static, for the QEMU guest
BPFTOOL    ?= bpftool
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
BPF_ARCH   := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
BPF_MULTIARCH := $(shell $(CC) -dumpmachine 2>/dev/null)

HMT_BPF_SRC  := bpf/hotmem_trace.bpf.c
HMT_VMLINUX  := $(BUILD)/bpf/vmlinux.h
HMT_BPF_OBJ  := $(BUILD)/bpf/hotmem_trace.bpf.o
HMT_SKEL     := $(BUILD)/bpf/hotmem_trace.skel.h
HMT_BIN      := $(BUILD)/hotmem-trace
HMT_STATIC   := $(BUILD)/hotmem-trace-static

# user-space sources: the loader needs libbpf, the rest is plain C; the
# kernel's names (zones) come from engine/uapi (libhmuapi.a)
HMT_LIB_SRCS := bpf/event.c bpf/jsonl.c bpf/absent.c bpf/compare.c bpf/timeline.c
HMT_LIB_OBJS := $(HMT_LIB_SRCS:%.c=$(BUILD)/%.o)
HMT_SRCS     := bpf/hotmem_trace.c bpf/attach.c bpf/btf_params.c bpf/pin_holder.c $(HMT_LIB_SRCS)
HMT_OBJS     := $(HMT_SRCS:%.c=$(BUILD)/%.o)
HMT_LIBBPF   := $(shell pkg-config --libs libbpf libelf 2>/dev/null || echo -lbpf -lelf -lz)
HMT_LIBBPF_STATIC := $(shell pkg-config --static --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)

CFLAGS_bpf_       := -I$(BUILD)/bpf -Ibpf
CFLAGS_tests_bpf_ := -Ibpf

$(HMT_VMLINUX): $(VMLINUX_BTF)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"; $(BPFTOOL) btf dump file $< format c > $@.tmp && mv $@.tmp $@

# -mcpu=v3: the batch slots' compare-and-swap (BPF_ATOMIC, 5.12+; 6.1 is
# the oldest kernel hotmem-trace serves)
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c bpf/hotmem_trace.h engine/hotmem_probes.h $(HMT_VMLINUX)
	@echo "  BPF     $@"; $(CLANG) -target bpf -mcpu=v3 -D__TARGET_ARCH_$(BPF_ARCH) -g -O2 -Wall -Werror \
		-I$(BUILD)/bpf -Ibpf -Iengine -I/usr/include/$(BPF_MULTIARCH) -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@echo "  SKEL    $@"; $(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/hotmem_trace.o $(BUILD)/bpf/attach.o: $(HMT_SKEL)

$(HMT_BIN): $(HMT_OBJS) $(HMUAPI_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(HMT_LIBBPF) -o $@

# The guest has no libraries: same sources, no sanitizer, -static.
HMT_STATIC_CFLAGS = $(filter-out -fsanitize=% -fno-sanitize-recover=%,$(ALL_CFLAGS)) -I$(BUILD)/bpf -Ibpf
$(BUILD)/bpf/static/%.o: bpf/%.c $(HMT_SKEL)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"; $(CC) $(HMT_STATIC_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/bpf/static/uapi/%.o: engine/uapi/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"; $(CC) $(HMT_STATIC_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/bpf/static/uapi/version.o: $(HMU_GIT_H)
$(BUILD)/bpf/static/uapi/version.o: HMT_STATIC_CFLAGS += -I$(HMU_GEN)
$(HMT_STATIC): $(HMT_SRCS:bpf/%.c=$(BUILD)/bpf/static/%.o) \
		$(HMUAPI_SRCS:engine/uapi/%.c=$(BUILD)/bpf/static/uapi/%.o)
	@echo "  LD      $@"; $(CC) -static -pthread $^ $(HMT_LIBBPF_STATIC) -o $@

# tests/bpf: cmocka unit tests of the plain-C parts, the USDT fixture, bench
HMT_UNIT_SRCS := $(sort $(wildcard tests/bpf/test_*.c))
HMT_UNIT      := $(HMT_UNIT_SRCS:tests/bpf/%.c=$(BUILD)/tests/bpf/%)
$(BUILD)/tests/bpf/test_%: $(BUILD)/tests/bpf/test_%.o $(HMT_LIB_OBJS) $(HMUAPI_LIB)
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(CMOCKA_LIBS) -o $@
# the BTF parameter lookup needs libbpf (its BTF writer builds the prototypes)
$(BUILD)/tests/bpf/test_btf_params: $(BUILD)/tests/bpf/test_btf_params.o $(BUILD)/bpf/btf_params.o
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(CMOCKA_LIBS) $(HMT_LIBBPF) -o $@

HMT_TARGET := $(BUILD)/tests/bpf/usdt_target
$(HMT_TARGET): $(BUILD)/tests/bpf/usdt_target.o
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ -o $@

HMT_BATCH_TARGET := $(BUILD)/tests/bpf/batch_target
$(HMT_BATCH_TARGET): $(BUILD)/tests/bpf/batch_target.o
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ -o $@

# holds hotmem-trace's per-CPU batch slots as a preempted run would (scratch.t)
HMT_SCRATCH_HOLD := $(BUILD)/tests/bpf/scratch_hold
$(HMT_SCRATCH_HOLD): $(BUILD)/tests/bpf/scratch_hold.o
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ $(HMT_LIBBPF) -o $@

HMT_BENCH := $(BUILD)/tests/bpf/bench_trace
$(HMT_BENCH): $(BUILD)/tests/bpf/bench_trace.o
	@echo "  LD      $@"; $(CC) $(ALL_LDFLAGS) $^ -o $@

BINS         += $(HMT_BIN) $(HMT_STATIC) $(HMT_TARGET) $(HMT_BATCH_TARGET) $(HMT_SCRATCH_HOLD)
INSTALL_BINS += $(HMT_BIN)
UNIT_TESTS   += $(HMT_UNIT)
TEST_SCRIPTS += $(sort $(wildcard tests/bpf/*.t tests/kernel/*.t))
BENCH_PROGS  += $(HMT_BENCH)
.SECONDARY: $(HMT_BPF_OBJ) $(HMT_UNIT:%=%.o) $(BUILD)/tests/bpf/usdt_target.o $(BUILD)/tests/bpf/batch_target.o \
	$(BUILD)/tests/bpf/scratch_hold.o $(BUILD)/tests/bpf/bench_trace.o
