/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl's vif specs (see xlcfg.h, xl-network-configuration(5)): pure, no
 * allocation, no stdio, as the rest of the xl.cfg parser.
 */
#include "xlcfg.h" /* beside it: builds with or without -I. */

#include <string.h>

/* ---- messages: "vif: WHY, got \"TOKEN\"" ---- */

static void add(struct xlcfg_error *e, const char *s, size_t n)
{
	size_t at = strlen(e->message);

	while (n-- && at + 1 < sizeof(e->message))
		e->message[at++] = *s++;
	e->message[at] = 0;
}

static void adds(struct xlcfg_error *e, const char *s)
{
	add(e, s, strlen(s));
}

static int vbad(struct xlcfg_error *e, const char *why, const char *v, size_t n)
{
	e->line = e->column = 0;
	e->message[0] = 0;
	adds(e, "vif: ");
	adds(e, why);
	if (v) {
		adds(e, ", got \"");
		for (size_t i = 0; i < n && i < 24; i++) {
			char c = v[i] >= 0x20 && v[i] < 0x7f && v[i] != '"' ? v[i] : '?';
			add(e, &c, 1);
		}
		adds(e, n > 24 ? "...\"" : "\"");
	}
	return -XLCFG_EINVAL;
}

/* ---- values ---- */

static bool is(const char *v, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(v, s, n);
}

static int hexdigit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f'
	       ? (c | 0x20) - 'a' + 10 : -1;
}

/* xx:xx:xx:xx:xx:xx, two hex digits each. */
static bool mac(const char *v, size_t n, uint8_t out[6])
{
	if (n != 17)
		return false;
	for (unsigned i = 0; i < 6; i++) {
		int hi = hexdigit(v[3 * i]), lo = hexdigit(v[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && v[3 * i + 2] != ':'))
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* A bridge or port name: 1..15 of [A-Za-z0-9_.-]. */
static bool name_ok(const char *v, size_t n)
{
	if (!n || n > 15)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static bool number(const char *v, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t x = 0;

	if (!n || n > 10 || (n > 1 && v[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (unsigned)(v[i] - '0');
	}
	*out = (uint32_t)x;
	return x <= max;
}

static void set(char *dst, const char *v, size_t n)
{
	memcpy(dst, v, n);
	dst[n] = 0;
}

/* The basename of a script path is vif-bridge. */
static bool vif_bridge(const char *v, size_t n)
{
	size_t b = n;

	while (b && v[b - 1] != '/')
		b--;
	return is(v + b, n - b, "vif-bridge");
}

/* KEY=VALUE: t[0..eq) the key, the value after it. */
static int key(struct xlcfg_vif *x, struct xlcfg_error *e, const char *t, size_t n, size_t eq)
{
	const char *v = t + eq + 1;
	size_t vn = n - eq - 1;
	uint32_t u;

	if (is(t, eq, "mac")) {
		if (!mac(v, vn, x->mac))
			return vbad(e, "mac: expected six hex pairs such as 00:16:3e:12:34:56", t, n);
		static const uint8_t zero[6];
		if ((x->mac[0] & 1) || !memcmp(x->mac, zero, 6))
			return vbad(e, "mac: a multicast or zero address cannot be an interface's", t, n);
		x->mac_given = true;
	} else if (is(t, eq, "bridge")) {
		if (!name_ok(v, vn))
			return vbad(e, "bridge: expected 1 to 15 of A-Z a-z 0-9 _ . -", t, n);
		set(x->bridge, v, vn);
	} else if (is(t, eq, "vifname")) {
		if (!name_ok(v, vn))
			return vbad(e, "vifname: expected 1 to 15 of A-Z a-z 0-9 _ . -", t, n);
		set(x->vifname, v, vn);
	} else if (is(t, eq, "devid")) {
		if (!number(v, vn, 1023, &u))
			return vbad(e, "devid: expected a number 0 to 1023", t, n);
		x->devid = (int32_t)u;
	} else if (is(t, eq, "ip")) {
		if (vn >= sizeof(x->ip))
			return vbad(e, "ip: longer than 63 bytes", t, n);
		set(x->ip, v, vn);
	} else if (is(t, eq, "type")) {
		if (!is(v, vn, "ioemu") && !is(v, vn, "vif"))
			return vbad(e, "type: expected ioemu or vif", t, n);
	} else if (is(t, eq, "model")) {
		/* no emulated NICs: the guest gets the PV device whatever the model */
	} else if (is(t, eq, "script")) {
		if (!vif_bridge(v, vn))
			return vbad(e, "script: only vif-bridge (the management domain's bridges)",
				    t, n);
	} else if (is(t, eq, "backend")) {
		if (vn && !is(v, vn, "0") && !is(v, vn, "Domain-0"))
			return vbad(e, "backend: only domain 0 serves vifs", t, n);
	} else if (is(t, eq, "mtu")) {
		if (!number(v, vn, 65535, &u) || u != 1500)
			return vbad(e, "mtu: only 1500 (what the bridges carry)", t, n);
	} else if (is(t, eq, "antispoof")) {
		bool yes = is(v, vn, "yes") || is(v, vn, "1"), no = is(v, vn, "no") || is(v, vn, "0");
		if (!yes && !no)
			return vbad(e, "antispoof: expected yes or no", t, n);
		x->antispoof = yes;
	} else if (is(t, eq, "rate")) {
		return vbad(e, "rate: rate limiting is not supported", t, n);
	} else if (is(t, eq, "vlan")) {
		return vbad(e, "vlan: VLANs are not supported", t, n);
	} else if (is(t, eq, "gatewaydev") || is(t, eq, "netdev")) {
		return vbad(e, "routed vifs (vif-route) are not supported", t, n);
	} else {
		return vbad(e, "unknown parameter", t, n);
	}
	return 0;
}

int xlcfg_vif(const char *spec, struct xlcfg_vif *x, struct xlcfg_error *err)
{
	struct xlcfg_error dummy;
	struct xlcfg_error *e = err ? err : &dummy;
	size_t n = strlen(spec), i = 0;

	memset(x, 0, sizeof(*x));
	strcpy(x->bridge, "xenbr0");
	x->devid = -1;
	x->antispoof = x->trusted = true;
	e->line = e->column = 0;
	e->message[0] = 0;
	while (i <= n) {
		const char *comma = memchr(spec + i, ',', n - i);
		size_t end = comma ? (size_t)(comma - spec) : n;
		size_t a = i, b = end;
		while (a < b && (spec[a] == ' ' || spec[a] == '\t' || spec[a] == '\n'))
			a++;
		while (b > a && (spec[b - 1] == ' ' || spec[b - 1] == '\t' || spec[b - 1] == '\n'))
			b--;
		const char *t = spec + a;
		size_t tn = b - a;
		const char *eq = memchr(t, '=', tn);
		i = end + 1;
		if (!tn)
			continue; /* '' is a vif with every default; stray commas are harmless */
		if (eq) {
			if (key(x, e, t, tn, (size_t)(eq - t)))
				return -XLCFG_EINVAL;
		} else if (is(t, tn, "trusted") || is(t, tn, "untrusted")) {
			x->trusted = t[0] == 't';
		} else {
			return vbad(e, "unknown flag", t, tn);
		}
	}
	return 0;
}

int xlcfg_vifs(const struct xlcfg *cfg, struct xlcfg_vif *v, struct xlcfg_error *err)
{
	struct xlcfg_error dummy;
	struct xlcfg_error *e = err ? err : &dummy;

	for (unsigned i = 0; i < cfg->nvif && i < XLCFG_LIST_MAX; i++) {
		if (xlcfg_vif(cfg->vif[i], &v[i], e))
			return -XLCFG_EINVAL;
		if (v[i].devid < 0)
			v[i].devid = (int32_t)i;
	}
	for (unsigned i = 0; i < cfg->nvif && i < XLCFG_LIST_MAX; i++)
		for (unsigned j = 0; j < i; j++) {
			if (v[j].devid == v[i].devid)
				return vbad(e, "two vifs with the same devid", cfg->vif[i],
					    strlen(cfg->vif[i]));
			if (v[i].mac_given && v[j].mac_given && !memcmp(v[i].mac, v[j].mac, 6))
				return vbad(e, "two vifs with the same mac", cfg->vif[i],
					    strlen(cfg->vif[i]));
		}
	return 0;
}

void xlcfg_vif_mac(const char *name, uint32_t devid, unsigned tries, uint8_t mac[6])
{
	uint32_t h = 2166136261u; /* FNV-1a over name, devid and tries */

	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	for (unsigned i = 0; i < 4; i++)
		h = (h ^ (uint8_t)(devid >> 8 * i)) * 16777619u;
	for (unsigned i = 0; i < 4; i++)
		h = (h ^ (uint8_t)(tries >> 8 * i)) * 16777619u;
	h ^= h >> 13;
	mac[0] = 0x00, mac[1] = 0x16, mac[2] = 0x3e;
	mac[3] = (uint8_t)(h >> 16) & 0x7f;
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}
