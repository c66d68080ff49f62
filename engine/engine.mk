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
