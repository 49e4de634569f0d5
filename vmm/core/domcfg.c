/* SPDX-License-Identifier: GPL-2.0-only */
/* domain= option parser (see domcfg.h). */
#include "vmm/core/domcfg.h"
#include "vmm/load/cpulist.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/string.h"

#include <stdbool.h>

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

static int parse_mib(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > DOM_MAX_MEMORY_MIB)
			return -ERANGE;
	}
	if (*s == 'M' && !s[1])
		s++;
	if (*s || !v)
		return -EINVAL;
	*out = v;
	return 0;
}

/* val's index in the NULL-ended words, or -1. */
static int pick(const char *val, const char *const *words)
{
	for (int i = 0; words[i]; i++)
		if (!strcmp(val, words[i]))
			return i;
	return -1;
}

/* The values of boot= and type= in their enums' order (hvm and linux are
 * no domain= types: the management domain builds them); platform=. */
static const char *const boots[] = { "flat32", "real", NULL };
static const char *const types[] = { "elf", "multiboot", "hvm", "pvh", "linux", NULL };
static const char *const platforms[] = { "pc", "none", NULL };
_Static_assert(DOM_BOOT_REAL == 1 && DOM_TYPE_HVM == 2 && DOM_TYPE_PVH == 3, "as boots, types");

static int set_field(struct domain_config *cfg, const char *key, const char *val,
		     char *err, size_t errlen)
{
	int i;

	if (!strcmp(key, "name")) {
		if (!valid_name(val) || strlen(val) >= DOM_NAME_LEN)
			goto bad;
		str_copy(cfg->name, val, sizeof(cfg->name));
	} else if (!strcmp(key, "image") || !strcmp(key, "initrd")) {
		if (!*val || strlen(val) >= DOM_IMAGE_LEN)
			goto bad;
		str_copy(key[1] == 'm' ? cfg->image : cfg->initrd, val, DOM_IMAGE_LEN);
	} else if (!strcmp(key, "memory")) {
		if (parse_mib(val, &cfg->memory_mib))
			goto bad;
	} else if (!strcmp(key, "boot")) {
		if ((i = pick(val, boots)) < 0)
			goto bad;
		cfg->boot = (enum dom_boot)i;
	} else if (!strcmp(key, "type")) {
		if ((i = pick(val, types)) < 0)
			goto bad;
		if (i == DOM_TYPE_HVM || !types[i + 1]) /* hvm, linux */
			goto hvm;
		cfg->type = (enum dom_type)i;
	} else if (!strcmp(key, "platform")) {
		if ((i = pick(val, platforms)) < 0)
			goto bad;
		cfg->platform = !i;
	} else if (!strcmp(key, "on_reboot")) {
		if (strcmp(val, "restart") && strcmp(val, "destroy"))
			goto bad;
		cfg->restart_on_reboot = val[0] == 'r';
	} else if (!strcmp(key, "privileged")) {
		if (strcmp(val, "0") && strcmp(val, "1"))
			goto bad;
		cfg->privileged = val[0] == '1';
	} else if (!strcmp(key, "cpus")) {
		if (cpulist_parse(val, &cfg->cpumask) || !cfg->cpumask)
			goto bad;
	} else if (!strcmp(key, "weight") || !strcmp(key, "cap")) {
		bool w = key[0] == 'w';
		const char *p = val;
		unsigned n = 0;
		for (; *p >= '0' && *p <= '9' && n <= 65535; p++)
			n = n * 10 + (unsigned)(*p - '0');
		if (p == val || *p || n > 65535 || (w && !n))
			goto bad;
		*(w ? &cfg->weight : &cfg->cap) = n;
	} else if (!strcmp(key, "vcpus")) {
		if (val[0] < '1' || val[0] > '0' + DOM_CFG_MAX_VCPUS || val[1])
			goto bad;
		cfg->vcpus = (unsigned)(val[0] - '0');
	} else if (!strcmp(key, "module")) {
		if (!*val || *val == ' ' || strlen(val) >= DOM_IMAGE_LEN ||
		    cfg->nr_modules == DOM_MAX_MODULES)
			goto bad;
		str_copy(cfg->modules[cfg->nr_modules++], val, DOM_IMAGE_LEN);
	} else {
		return errorf(-EINVAL, err, errlen, "unknown key '%.32s'", key);
	}
	return 0;
bad:
	return errorf(-EINVAL, err, errlen, "bad value for %s: '%.40s'", key, val);
hvm:
	/* Like Xen, the hypervisor loads no Linux bzImage: the toolstack does. */
	return errorf(-EINVAL, err, errlen, "type=%s: build HVM Linux guests from the management "
		      "domain (xl.cfg type=\"hvm\")", val[0] == 'l' ? "linux" : "hvm");
}

int domcfg_parse(const char *spec, struct domain_config *cfg, char *err, size_t errlen)
{
	char item[DOM_IMAGE_LEN + 16];

	memset(cfg, 0, sizeof(*cfg));
	while (*spec) {
		if (!strncmp(spec, "cmdline=", 8)) { /* the rest, commas included */
			if (strlen(spec + 8) >= sizeof(cfg->cmdline))
				return errorf(-EINVAL, err, errlen, "cmdline longer than %d bytes",
					      DOM_CMDLINE_LEN - 1);
			str_copy(cfg->cmdline, spec + 8, sizeof(cfg->cmdline));
			break;
		}
		size_t n = 0;
		while (spec[n] && spec[n] != ',')
			n++;
		if (n >= sizeof(item))
			return errorf(-EINVAL, err, errlen, "item too long");
		memcpy(item, spec, n);
		item[n] = 0;
		spec += n + (spec[n] == ',');
		char *eq = strchr(item, '=');
		if (!eq)
			return errorf(-EINVAL, err, errlen, "expected key=value, got '%.40s'",
				      item);
		*eq = 0;
		int r = set_field(cfg, item, eq + 1, err, errlen);
		if (r)
			return r;
	}
	if (!cfg->name[0] || !cfg->image[0] || !cfg->memory_mib)
		return errorf(-EINVAL, err, errlen, "name, image and memory are required");
	if (cfg->type != DOM_TYPE_ELF && cfg->boot == DOM_BOOT_REAL)
		return errorf(-EINVAL, err, errlen, "a %s kernel starts in 32-bit mode, not "
			      "boot=real", cfg->type == DOM_TYPE_PVH ? "pvh" : "multiboot");
	if (cfg->initrd[0] && cfg->type != DOM_TYPE_PVH)
		return errorf(-EINVAL, err, errlen, "initrd= is for type=pvh");
	if (cfg->nr_modules && cfg->type != DOM_TYPE_MULTIBOOT)
		return errorf(-EINVAL, err, errlen, "module= is for type=multiboot");
	if (cfg->cmdline[0] && cfg->type == DOM_TYPE_ELF)
		return errorf(-EINVAL, err, errlen, "cmdline= is for type=pvh or multiboot");
	cfg->xen = cfg->type == DOM_TYPE_PVH;
	return 0;
}
