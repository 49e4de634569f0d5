# SPDX-License-Identifier: GPL-2.0-only
test_manifest_SRCS := boot/efi/manifest.c
