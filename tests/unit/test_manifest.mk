test_manifest_SRCS := boot/efi/manifest.c
