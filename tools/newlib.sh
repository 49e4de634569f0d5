#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Build newlib's libc.a/libm.a for the management domain (freestanding
# x86_64 ELF, no Linux) from Debian's `newlib-source` package, with the host
# gcc/binutils -- no cross toolchain.  Nothing of it is committed: the tarball
# is unpacked, built and installed under the output directory:
#
#   $OUT/src       unpacked tarball
#   $OUT/build     out-of-tree build (top-level configure, newlib/ only)
#   $OUT/install   prefix; headers in x86_64-elf/include,
#                  libc.a/libm.a in x86_64-elf/lib
#   $OUT/build.log full log
#   $OUT/stamp     written last; holds the tarball + configuration, so a
#                  change of either rebuilds, and an identical one is a no-op
#
# Usage: sh tools/newlib.sh build/newlib
# Installs nothing: needs the `newlib-source` package (tools/deps.sh).
set -u

OUT=${1:-build/newlib}
TARGET=x86_64-elf

die() { echo "newlib: $*" >&2; exit 1; }

# Tarball: NEWLIB_TARBALL overrides; else the one newlib-source ships.
TARBALL=${NEWLIB_TARBALL:-}
if [ -z "$TARBALL" ]; then
	for t in /usr/src/newlib/newlib-*.tar.*; do
		[ -f "$t" ] && TARBALL=$t
	done
fi
if [ -z "$TARBALL" ]; then
	die "no source tarball in /usr/src/newlib (apt-get install newlib-source)"
elif [ ! -f "$TARBALL" ]; then
	die "source tarball $TARBALL not found"
fi

for tool in gcc ar as ld nm ranlib make tar; do
	command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found in PATH"
done

mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd) || die "cannot enter $OUT"
LOG=$OUT/build.log
STAMP=$OUT/stamp

# -mno-red-zone: interrupts/upcalls run on the guest's own stack.
# -fno-pic/-fno-pie/-mcmodel=small: linked static, below 2 GiB.
# -Wa,--noexecstack: newlib's x86_64 .S files (memcpy, memset, setjmp) lack
# a .note.GNU-stack, which makes ld warn about an executable stack.
# The host gcc targets Linux (defines __linux__); newlib's headers only care
# about that for i386, so it is harmless for x86_64.
TFLAGS="-ffreestanding -fno-pic -fno-pie -mno-red-zone -mcmodel=small \
-fno-stack-protector -fno-asynchronous-unwind-tables -Wa,--noexecstack -O2 -g"
CONF_OPTS="--disable-newlib-supplied-syscalls --disable-multilib --disable-nls \
--enable-newlib-io-long-long --enable-newlib-io-c99-formats"

WANT="tarball=$TARBALL $(stat -c '%s %Y' "$TARBALL")
cc=$(gcc -dumpfullversion 2>/dev/null)
cflags=$TFLAGS
opts=$CONF_OPTS"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] &&
   [ -f "$OUT/install/$TARGET/lib/libc.a" ]; then
	exit 0
fi

fail() {
	echo "newlib: $1 failed, see $LOG; last lines:" >&2
	tail -n 25 "$LOG" >&2
	exit 1
}

echo "  NEWLIB  $OUT (from $(basename "$TARBALL"), log in build.log)"
rm -f "$STAMP"
rm -rf "$OUT/src" "$OUT/build" "$OUT/install" || die "cannot clean $OUT"
mkdir -p "$OUT/src" "$OUT/build" || die "cannot create $OUT/src"
: >"$LOG" || die "cannot write $LOG"
start=$(date +%s)

# The Debian tarball's top directory is not newlib-<ver>/; strip it.
tar -xf "$TARBALL" -C "$OUT/src" --strip-components=1 >>"$LOG" 2>&1 ||
	fail "unpacking $TARBALL"
if [ ! -x "$OUT/src/configure" ] || [ ! -d "$OUT/src/newlib" ]; then
	die "unexpected tarball layout (no configure or newlib/ in $OUT/src)"
fi

JOBS=$(nproc 2>/dev/null || echo 2)

# CONF_OPTS is split into words on purpose.
# shellcheck disable=SC2086
(
	cd "$OUT/build" &&
	"$OUT/src/configure" --target=$TARGET --prefix="$OUT/install" \
		CC_FOR_TARGET=gcc AS_FOR_TARGET=as AR_FOR_TARGET=ar \
		LD_FOR_TARGET=ld NM_FOR_TARGET=nm RANLIB_FOR_TARGET=ranlib \
		OBJDUMP_FOR_TARGET=objdump READELF_FOR_TARGET=readelf \
		STRIP_FOR_TARGET=strip CFLAGS_FOR_TARGET="$TFLAGS" \
		$CONF_OPTS
) >>"$LOG" 2>&1 || fail "configure"

# Only newlib/ (libc + libm); libgloss is not wanted.
make -C "$OUT/build" -j"$JOBS" all-target-newlib >>"$LOG" 2>&1 ||
	fail "make all-target-newlib"
make -C "$OUT/build" install-target-newlib >>"$LOG" 2>&1 ||
	fail "make install-target-newlib"

for f in lib/libc.a lib/libm.a include/stdio.h; do
	[ -f "$OUT/install/$TARGET/$f" ] ||
		die "install incomplete: $OUT/install/$TARGET/$f missing"
done

printf '%s\n' "$WANT" >"$STAMP" || die "cannot write $STAMP"
echo "  NEWLIB  done in $(($(date +%s) - start))s"
exit 0
