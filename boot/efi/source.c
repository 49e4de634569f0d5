/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where the loader's files come from. The device the loader itself was
 * read from (EFI_LOADED_IMAGE_PROTOCOL.DeviceHandle) decides:
 *  - a FAT volume (EFI_SIMPLE_FILE_SYSTEM_PROTOCOL): files are read from the
 *    loader's own directory, taken from LoadedImage.FilePath;
 *  - a network card that PXE-booted us (EFI_PXE_BASE_CODE_PROTOCOL): files
 *    are fetched by TFTP from the server that served the loader, relative
 *    to the directory of the boot file name in the DHCP reply.
 */
#include "boot/efi/loader.h"

/*
 * TFTP block size to ask for (RFC 2348 blksize option): the largest that
 * fits an Ethernet frame with IP and UDP headers. Servers without the
 * option answer with 512-byte blocks; the firmware handles both.
 */
#define TFTP_BLOCK_SIZE 1468

struct open_file {
	EFI_FILE_HANDLE fh;               /* disk */
	CHAR16 wpath[LOADER_PATH_MAX];    /* disk: "\EFI\BOOT\eyrie.elf" */
	char tpath[LOADER_PATH_MAX];      /* PXE: "eyrie.elf" */
};

static int is_sep(UINTN c)
{
	return c == '/' || c == '\\';
}

/*
 * Appends the file path nodes of dp ("\EFI\BOOT" + "BOOTX64.EFI", or one
 * node "\EFI\BOOT\BOOTX64.EFI") into dir and cuts after the last '\'. Node
 * contents are read byte-wise: device path nodes are not aligned.
 */
static void dir_from_devpath(EFI_DEVICE_PATH *dp, CHAR16 *dir, UINTN max)
{
	UINTN n = 0, cut = 0;

	for (; dp && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
		UINTN len = DevicePathNodeLength(dp);
		const UINT8 *p = (const UINT8 *)dp + 4;

		if (len < 4)
			break;
		if (DevicePathType(dp) != MEDIA_DEVICE_PATH ||
		    DevicePathSubType(dp) != MEDIA_FILEPATH_DP)
			continue;
		if (n + 1 < max && (n == 0 || dir[n - 1] != '\\'))
			dir[n++] = '\\';
		for (UINTN i = 0; i + 1 < len - 4; i += 2) {
			CHAR16 c = (CHAR16)(p[i] | p[i + 1] << 8);

			if (!c)
				break;
			if (is_sep(c) && dir[n - 1] == '\\')
				continue;
			if (n + 1 < max)
				dir[n++] = is_sep(c) ? L'\\' : c;
		}
	}
	for (UINTN i = 0; i < n; i++)
		if (dir[i] == '\\')
			cut = i + 1;
	if (!cut)
		dir[cut++] = '\\';
	dir[cut] = 0;
}

static EFI_STATUS open_disk(struct loader *ld, EFI_LOADED_IMAGE *li)
{
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;

	EFI_STATUS st = ld->bs->HandleProtocol(li->DeviceHandle, &FileSystemProtocol, (void **)&fs);
	if (EFI_ERROR(st))
		return EFI_UNSUPPORTED;
	st = fs->OpenVolume(fs, &ld->root);
	if (EFI_ERROR(st))
		return fail(ld, st, "boot disk", L"cannot open the file system (%r)", st);
	ld->kind = SOURCE_DISK;
	dir_from_devpath(li->FilePath, ld->dir, LOADER_PATH_MAX);
	say(L"loading from disk, directory %s", ld->dir);
	return EFI_SUCCESS;
}

static int ip_is_zero(const UINT8 *ip)
{
	return !(ip[0] | ip[1] | ip[2] | ip[3]);
}

/*
 * The reply that named our boot file: a boot server's reply, else a proxy
 * DHCP offer, else the DHCP ACK (a plain DHCP server with next-server).
 */
static const EFI_PXE_BASE_CODE_DHCPV4_PACKET *boot_reply(const EFI_PXE_BASE_CODE_MODE *mode)
{
	return mode->PxeReplyReceived ? &mode->PxeReply.Dhcpv4 :
	       mode->ProxyOfferReceived ? &mode->ProxyOffer.Dhcpv4 :
	       mode->DhcpAckReceived ? &mode->DhcpAck.Dhcpv4 : NULL;
}

static void tftp_dir_from_bootfile(const UINT8 *file, CHAR16 *dir, UINTN max)
{
	UINTN cut = 0;

	/* BootpBootFile is 128 bytes and need not be NUL-terminated. */
	for (UINTN i = 0; i < 128 && file[i] && i + 1 < max; i++) {
		dir[i] = file[i] == '\\' ? '/' : file[i];
		if (dir[i] == '/')
			cut = i + 1;
	}
	dir[cut] = '\0';
}

static EFI_STATUS open_pxe(struct loader *ld, EFI_LOADED_IMAGE *li)
{
	EFI_STATUS st;

	st = ld->bs->HandleProtocol(li->DeviceHandle, &PxeBaseCodeProtocol, (void **)&ld->pxe);
	if (EFI_ERROR(st))
		return EFI_UNSUPPORTED;
	const EFI_PXE_BASE_CODE_MODE *mode = ld->pxe->Mode;
	const EFI_PXE_BASE_CODE_DHCPV4_PACKET *reply = boot_reply(mode);
	if (!mode->Started || !reply)
		return fail(ld, EFI_NOT_READY, "PXE", L"network boot device has no DHCP reply");
	if (mode->UsingIpv6)
		return fail(ld, EFI_UNSUPPORTED, "PXE", L"IPv6 network boot is not supported");
	const UINT8 *ip = reply->BootpSiAddr;
	if (ip_is_zero(ip) && mode->DhcpAckReceived)
		ip = mode->DhcpAck.Dhcpv4.BootpSiAddr;
	if (ip_is_zero(ip))
		return fail(ld, EFI_NOT_FOUND, "PXE", L"DHCP reply names no TFTP server (siaddr 0)");
	for (int i = 0; i < 4; i++)
		ld->server.v4.Addr[i] = ip[i];
	tftp_dir_from_bootfile(reply->BootpBootFile, ld->dir, LOADER_PATH_MAX);
	ld->kind = SOURCE_PXE;
	say(L"loading from PXE, TFTP server %ld.%ld.%ld.%ld, directory \"%s\"",
	    (UINT64)ip[0], (UINT64)ip[1], (UINT64)ip[2], (UINT64)ip[3], ld->dir);
	return EFI_SUCCESS;
}

EFI_STATUS source_open(struct loader *ld)
{
	EFI_LOADED_IMAGE *li;

	EFI_STATUS st = ld->bs->HandleProtocol(ld->image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st))
		return fail(ld, st, "loader", L"no loaded image protocol (%r)", st);
	st = open_disk(ld, li);
	if (st != EFI_UNSUPPORTED)
		return st;
	st = open_pxe(ld, li);
	if (st != EFI_UNSUPPORTED)
		return st;
	return fail(ld, st, "boot device",
		    L"neither a file system nor PXE on the device the loader came from");
}

/* Manifest paths are relative to the loader's directory unless absolute;
 * a path for TFTP is the same in bytes (ASCII), with '/' separators. */
static void resolve(const struct loader *ld, const char *path, struct open_file *f)
{
	CHAR16 sep = ld->kind == SOURCE_DISK ? L'\\' : L'/';
	UINTN n = 0, i = 0;

	if (!is_sep((UINT8)path[0]))
		for (; ld->dir[n] && n + 1 < LOADER_PATH_MAX; n++)
			f->wpath[n] = ld->dir[n];
	else if (ld->kind == SOURCE_PXE)
		while (is_sep((UINT8)path[i]))
			i++; /* absolute: from the TFTP root */
	for (; path[i] && n + 1 < LOADER_PATH_MAX; i++)
		f->wpath[n++] = is_sep((UINT8)path[i]) ? sep : (CHAR16)path[i];
	f->wpath[n] = 0;
	for (i = 0; i <= n; i++)
		f->tpath[i] = (char)f->wpath[i];
}

static EFI_STATUS disk_size(struct loader *ld, const char *what, struct open_file *f, UINT64 *size)
{
	union {
		EFI_FILE_INFO info;
		UINT8 raw[sizeof(EFI_FILE_INFO) + 512 * sizeof(CHAR16)];
	} buf;
	UINTN len = sizeof(buf);

	EFI_STATUS st = ld->root->Open(ld->root, &f->fh, f->wpath, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return fail(ld, st, what, L"cannot open %s on the boot disk (%r)", f->wpath, st);
	st = f->fh->GetInfo(f->fh, &GenericFileInfo, &len, &buf);
	if (EFI_ERROR(st))
		return fail(ld, st, what, L"cannot read the size of %s (%r)", f->wpath, st);
	if (buf.info.Attribute & EFI_FILE_DIRECTORY)
		return fail(ld, EFI_NOT_FOUND, what, L"%s is a directory", f->wpath);
	*size = buf.info.FileSize;
	return EFI_SUCCESS;
}

static EFI_STATUS disk_read(struct loader *ld, const char *what, struct open_file *f,
			    UINT8 *buf, UINT64 size)
{
	UINT64 done = 0;

	while (done < size) {
		UINTN chunk = size - done > (1u << 20) ? (1u << 20) : (UINTN)(size - done);
		EFI_STATUS st = f->fh->Read(f->fh, &chunk, buf + done);

		if (EFI_ERROR(st))
			return fail(ld, st, what, L"read error in %s at byte %ld (%r)",
				    f->wpath, done, st);
		if (!chunk)
			return fail(ld, EFI_END_OF_FILE, what,
				    L"%s truncated: read %ld of %ld bytes", f->wpath, done, size);
		done += chunk;
	}
	return EFI_SUCCESS;
}

static EFI_STATUS tftp_fail(struct loader *ld, EFI_STATUS st, const char *what,
			    const struct open_file *f, const CHAR16 *doing)
{
	const EFI_PXE_BASE_CODE_MODE *mode = ld->pxe->Mode;
	const char *msg = mode->TftpErrorReceived ? (const char *)mode->TftpError.ErrorString : "";

	return fail(ld, st, what, L"TFTP %s of \"%a\" failed (%r%a%a)", doing, f->tpath, st,
		    *msg ? ": " : "", msg);
}

static EFI_STATUS tftp_size(struct loader *ld, const char *what, struct open_file *f, UINT64 *size)
{
	*size = 0;
	EFI_STATUS st = ld->pxe->Mtftp(ld->pxe, EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE, NULL, FALSE,
				       size, NULL, &ld->server, (UINT8 *)f->tpath, NULL, FALSE);
	return EFI_ERROR(st) ? tftp_fail(ld, st, what, f, L"size query") : EFI_SUCCESS;
}

static EFI_STATUS tftp_read(struct loader *ld, const char *what, struct open_file *f,
			    UINT8 *buf, UINT64 size)
{
	UINT64 got = size;
	UINTN block = TFTP_BLOCK_SIZE;

	EFI_STATUS st = ld->pxe->Mtftp(ld->pxe, EFI_PXE_BASE_CODE_TFTP_READ_FILE, buf, FALSE, &got,
				       &block, &ld->server, (UINT8 *)f->tpath, NULL, FALSE);
	if (EFI_ERROR(st))
		return tftp_fail(ld, st, what, f, L"read");
	if (got != size)
		return fail(ld, EFI_END_OF_FILE, what, L"TFTP read of \"%a\" returned %ld of %ld bytes",
			    f->tpath, got, size);
	return EFI_SUCCESS;
}

static EFI_STATUS alloc_dest(struct loader *ld, const char *what, enum file_dest dest,
			     UINT64 size, void **data)
{
	EFI_PHYSICAL_ADDRESS addr = BELOW_4G;

	if (dest == DEST_POOL)
		return mem_pool(ld, size ? (UINTN)size : 1, data, what);
	/* At least one page, so a zero-byte module still has an address. */
	EFI_STATUS st = mem_pages(ld, AllocateMaxAddress, EfiLoaderData,
				  size ? EFI_SIZE_TO_PAGES(size) : 1, &addr, what);
	*data = (void *)(UINTN)addr;
	return st;
}

EFI_STATUS source_load(struct loader *ld, const char *path, enum file_dest dest,
		       UINT64 max_size, struct file_buf *out)
{
	struct open_file f;

	resolve(ld, path, &f);
	f.fh = NULL;
	EFI_STATUS st = ld->kind == SOURCE_DISK ? disk_size(ld, path, &f, &out->size)
						: tftp_size(ld, path, &f, &out->size);
	if (!EFI_ERROR(st) && max_size && out->size > max_size)
		st = fail(ld, EFI_BAD_BUFFER_SIZE, path, L"too large: %ld bytes, at most %ld",
			  out->size, max_size);
	if (!EFI_ERROR(st))
		st = alloc_dest(ld, path, dest, out->size, &out->data);
	if (!EFI_ERROR(st))
		st = ld->kind == SOURCE_DISK ? disk_read(ld, path, &f, out->data, out->size)
					     : tftp_read(ld, path, &f, out->data, out->size);
	if (f.fh)
		f.fh->Close(f.fh);
	return st;
}
