# engine/uapi/: libhmuapi.a, the kernel's user ABI for memory hotplug (names,
# sysfs parsers, the uevent wire format).  Includes nothing of the engine:
# the engine, hotmemfs, hotmemctl and hotmemd (which never links the
# engine) all link it.  The engine carries its own copy inside libhotmem.a,
# where like every non-hotmem_ symbol it is local.
HMUAPI_SRCS := $(sort $(wildcard engine/uapi/*.c))
HMUAPI_OBJS := $(HMUAPI_SRCS:%.c=$(BUILD)/%.o)
HMUAPI_LIB  := $(BUILD)/libhmuapi.a

$(HMUAPI_LIB): $(HMUAPI_OBJS)
	@echo "  AR      $@"; rm -f $@; ar rcs $@ $^

BINS += $(HMUAPI_LIB)

# version.c's hmu_git.h: the build's `git describe --always --dirty`, or
# "unknown" outside a git checkout (a tarball; a tree with no .git of its
# own, whose enclosing repository's describe would be wrong).  Looked at
# on every make, written only when it changes: only version.o follows.
# A git that does not answer in a checkout (`sudo make install` in a
# tree of another owner: "dubious ownership") leaves the header as the
# build wrote it, so install neither rebuilds nor says "unknown".
# The bpf static and the fuzz builds compile version.c too (their .mk
# files add the same prerequisite and -I$(HMU_GEN)).
HMU_GEN   := $(BUILD)/gen
HMU_GIT_H := $(HMU_GEN)/hmu_git.h
.PHONY: hmu-git-force
$(HMU_GIT_H): hmu-git-force
	@mkdir -p $(dir $@); \
	d=$$( { [ -e .git ] && git describe --always --dirty 2>/dev/null; } | tr -cd 'A-Za-z0-9._+-'); \
	[ -z "$$d" ] && [ -e .git ] && [ -e $@ ] && exit 0; \
	printf '#define HMU_GIT_DESCRIBE "%s"\n' "$${d:-unknown}" >$@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else echo "  GEN     $@"; mv $@.tmp $@; fi
$(BUILD)/engine/uapi/version.o: $(HMU_GIT_H)
CFLAGS_engine_uapi_ := -I$(HMU_GEN)
