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

$(BUILD)/unit/%: tests/unit/%.c $$(%_SRCS) tests/unit/unit.mk
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $($*_SRCS) $(UNIT_LIBS)

unit: unit-bins
	@for t in $(UNIT_BINS); do $$t || exit 1; done
