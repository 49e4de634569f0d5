# SPDX-License-Identifier: GPL-2.0-only
.SECONDEXPANSION:
# Host unit tests (cmocka). Each tests/unit/test_NAME.c has a fragment
# tests/unit/test_NAME.mk that sets test_NAME_SRCS to the pure modules it
# links with. Binaries land in build/unit/.
UNIT_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Wno-unused-parameter $(WERROR) \
        -I. -fsanitize=address,undefined -fno-omit-frame-pointer -D_DEFAULT_SOURCE
UNIT_LIBS := -lcmocka
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
-include $(wildcard tests/unit/test_*.mk)
UNIT_BINS := $(patsubst %,$(BUILD)/unit/%,$(UNIT_TESTS))

.PHONY: unit-bins unit
unit-bins: $(UNIT_BINS)

# Any header change rebuilds them all (one compile-and-link per test, no
# dependency files): cheap, and a changed limit cannot go untested.
UNIT_HDRS := $(wildcard boot/*.h boot/*/*.h arch/x86_64/*.h kernel/*.h drivers/*.h vmm/*/*.h \
        include/public/*.h include/public/io/*.h mgmt/*.h)

$(BUILD)/unit/%: tests/unit/%.c $$(%_SRCS) tests/unit/unit.mk $(UNIT_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $($*_SRCS) $(UNIT_LIBS)

unit: unit-bins
	@for t in $(UNIT_BINS); do $$t || exit 1; done
