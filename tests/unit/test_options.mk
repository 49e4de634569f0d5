# SPDX-License-Identifier: GPL-2.0-only
# printf.c defines vsnprintf/snprintf; renamed here so cmocka keeps the host's.
test_options_SRCS := kernel/options.c kernel/crc32.c $(BUILD)/unit/printf_renamed.o
$(BUILD)/unit/printf_renamed.o: kernel/printf.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) -Dvsnprintf=eyrie_vsnprintf -Dsnprintf=eyrie_snprintf -c $< -o $@
