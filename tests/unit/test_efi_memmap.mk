test_efi_memmap_SRCS := boot/efi/memmap.c boot/bootinfo.c
