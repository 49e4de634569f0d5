test_acpi_SRCS := drivers/acpi.c drivers/uartcfg.c
