test_vacpi_SRCS := vmm/vacpi.c drivers/acpi.c
