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
