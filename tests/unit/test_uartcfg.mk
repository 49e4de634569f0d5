test_uartcfg_SRCS := drivers/uartcfg.c drivers/acpi.c
