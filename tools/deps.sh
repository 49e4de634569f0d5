#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Install the Debian packages Eyrie's build and tests need, only when missing.
# Called by `make run` and `make test`; safe to run again (does nothing then).
set -e
PKGS="gcc clang make binutils python3 newlib-source qemu-system-x86 ovmf gnu-efi grub-efi-amd64-bin
grub-pc-bin grub-common xorriso mtools dosfstools fdisk e2fsprogs libcmocka-dev bochs
bochsbios vgabios console-setup-linux"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
