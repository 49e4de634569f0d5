test_vacpi_SRCS := vmm/plat/vacpi.c drivers/acpi.c
