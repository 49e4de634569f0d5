/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * eyrie.cfg parser (see manifest.h). Works on one line at a time as a
 * (pointer, length) slice of the input, so the input need not be
 * NUL-terminated and is never modified.
 */
#include "boot/efi/manifest.h"
#include "kernel/errno.h"

struct slice {
	const char *p;
	size_t n;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct slice trim(struct slice s)
{
	while (s.n && is_blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

/* Splits the first blank-delimited token off *rest (which must be trimmed). */
static struct slice next_token(struct slice *rest)
{
	struct slice tok = { rest->p, 0 };

	while (tok.n < rest->n && !is_blank(rest->p[tok.n]))
		tok.n++;
	rest->p += tok.n;
	rest->n -= tok.n;
	*rest = trim(*rest);
	return tok;
}

static int equals(struct slice s, const char *word)
{
	size_t i = 0;

	for (; i < s.n; i++)
		if (word[i] != s.p[i])
			return 0;
	return word[i] == '\0';
}

/* Copies s into dst[size] with a NUL; 0 if it does not fit. */
static int copy_out(char *dst, size_t size, struct slice s)
{
	if (s.n >= size)
		return 0;
	for (size_t i = 0; i < s.n; i++)
		dst[i] = s.p[i];
	dst[s.n] = '\0';
	return 1;
}

static struct slice basename_of(struct slice path)
{
	size_t i = path.n;

	while (i && path.p[i - 1] != '/' && path.p[i - 1] != '\\')
		i--;
	return (struct slice){ path.p + i, path.n - i };
}

static enum manifest_reason parse_hypervisor(struct slice path, struct slice rest,
					     struct manifest *m, int *have_hv)
{
	if (*have_hv)
		return MANIFEST_ERR_DUP_HYPERVISOR;
	if (!copy_out(m->hv_path, sizeof(m->hv_path), path))
		return MANIFEST_ERR_PATH_TOO_LONG;
	if (!copy_out(m->cmdline, sizeof(m->cmdline), rest))
		return MANIFEST_ERR_CMDLINE_TOO_LONG;
	*have_hv = 1;
	return MANIFEST_OK;
}

static enum manifest_reason parse_module(struct slice path, struct slice rest, struct manifest *m)
{
	if (m->nr_modules >= BOOT_MAX_MODULES)
		return MANIFEST_ERR_TOO_MANY_MODULES;
	struct manifest_module *mod = &m->modules[m->nr_modules];
	if (!copy_out(mod->path, sizeof(mod->path), path))
		return MANIFEST_ERR_PATH_TOO_LONG;
	struct slice name = rest.n ? next_token(&rest) : basename_of(path);
	if (rest.n)
		return MANIFEST_ERR_NAME_WORDS;
	if (!name.n)
		return MANIFEST_ERR_NO_PATH; /* "module dir/" names no file */
	if (!copy_out(mod->name, sizeof(mod->name), name))
		return MANIFEST_ERR_NAME_TOO_LONG;
	m->nr_modules++;
	return MANIFEST_OK;
}

static enum manifest_reason parse_line(struct slice line, struct manifest *m, int *have_hv)
{
	struct slice rest = trim(line), word, path;

	for (size_t i = 0; i < line.n; i++)
		if ((line.p[i] < 0x20 || line.p[i] > 0x7e) && line.p[i] != '\t')
			return MANIFEST_ERR_BAD_CHAR;
	if (!rest.n || rest.p[0] == '#')
		return MANIFEST_OK;
	word = next_token(&rest);
	if (!equals(word, "hypervisor") && !equals(word, "module"))
		return MANIFEST_ERR_UNKNOWN;
	path = next_token(&rest);
	if (!path.n)
		return MANIFEST_ERR_NO_PATH;
	if (equals(word, "hypervisor"))
		return parse_hypervisor(path, rest, m, have_hv);
	return parse_module(path, rest, m);
}

int manifest_parse(const char *text, size_t len, struct manifest *m, struct manifest_error *err)
{
	int have_hv = 0;
	size_t pos = 0;

	*m = (struct manifest){ .nr_modules = 0 };
	*err = (struct manifest_error){ MANIFEST_OK, 0 };
	if (len >= 3 && (unsigned char)text[0] == 0xef &&
	    (unsigned char)text[1] == 0xbb && (unsigned char)text[2] == 0xbf)
		pos = 3;
	while (pos < len) {
		err->line++;
		struct slice line = { text + pos, 0 };
		while (pos + line.n < len && text[pos + line.n] != '\n')
			line.n++;
		pos += line.n + 1;
		if (line.n && line.p[line.n - 1] == '\r')
			line.n--;
		if (line.n > MANIFEST_LINE_MAX)
			err->reason = MANIFEST_ERR_LINE_TOO_LONG;
		else
			err->reason = parse_line(line, m, &have_hv);
		if (err->reason != MANIFEST_OK)
			return -EINVAL;
	}
	if (!have_hv) {
		*err = (struct manifest_error){ MANIFEST_ERR_NO_HYPERVISOR, 0 };
		return -EINVAL;
	}
	err->line = 0;
	return 0;
}

const char *manifest_reason_str(enum manifest_reason reason)
{
	switch (reason) {
	case MANIFEST_OK: return "valid";
	case MANIFEST_ERR_LINE_TOO_LONG: return "line too long";
	case MANIFEST_ERR_BAD_CHAR: return "invalid character (printable ASCII only)";
	case MANIFEST_ERR_UNKNOWN: return "unknown directive (expected 'hypervisor' or 'module')";
	case MANIFEST_ERR_NO_PATH: return "missing file path";
	case MANIFEST_ERR_PATH_TOO_LONG: return "file path too long";
	case MANIFEST_ERR_CMDLINE_TOO_LONG: return "command line too long";
	case MANIFEST_ERR_NAME_TOO_LONG: return "module name too long";
	case MANIFEST_ERR_NAME_WORDS: return "module name must be one word";
	case MANIFEST_ERR_DUP_HYPERVISOR: return "second 'hypervisor' line";
	case MANIFEST_ERR_TOO_MANY_MODULES: return "too many modules";
	case MANIFEST_ERR_NO_HYPERVISOR: return "no 'hypervisor' line";
	}
	return "unknown error";
}
