// SPDX-License-Identifier: GPL-2.0-only
/* Option values with a grammar of their own (see opts.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gunyahctl.h"
#include "engine/opts.h"

static int opt_err(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int opt_err(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

bool gctl_opt_valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= GCTL_REGION_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && !strchr("_-.", *s))
			return false;
	return true;
}

int gctl_opt_region(const char *arg, uint64_t *addr, uint64_t *size,
		    char name[GCTL_REGION_NAME_MAX], char *err, size_t errlen)
{
	char buf[256], *size_s, *name_s;
	int ret;

	if (strlen(arg) >= sizeof(buf))
		return opt_err(err, errlen, -E2BIG, "argument too long");
	strcpy(buf, arg);
	size_s = strchr(buf, ':');
	if (!size_s)
		return opt_err(err, errlen, -EINVAL, "want ADDR:SIZE%s",
			       name ? "[:NAME]" : "");
	*size_s++ = 0;
	name_s = strchr(size_s, ':');
	if (name_s) {
		*name_s++ = 0;
		if (!name)
			return opt_err(err, errlen, -EINVAL, "want ADDR:SIZE");
		if (!gctl_opt_valid_name(name_s))
			return opt_err(err, errlen, -EINVAL,
				       "a name is 1 to %d letters, digits, "
				       "'_', '-' or '.'",
				       GCTL_REGION_NAME_MAX - 1);
		strcpy(name, name_s);
	}
	if (gctl_parse_u64(buf, addr))
		return opt_err(err, errlen, -EINVAL, "%s: not an address", buf);
	ret = gctl_parse_size(size_s, size);
	if (ret == -ERANGE)
		return opt_err(err, errlen, -ERANGE, "size too large");
	if (ret)
		return opt_err(err, errlen, -EINVAL,
			       "not a size (a number with an optional K, M "
			       "or G suffix)");
	if (!*size)
		return opt_err(err, errlen, -EINVAL, "size cannot be 0");
	return 0;
}

int gctl_opt_script(const char *arg, struct gctl_mmio_script *s, char *err,
		    size_t errlen)
{
	char buf[1024], *vals, *tok, *next;

	if (strlen(arg) >= sizeof(buf))
		return opt_err(err, errlen, -E2BIG, "argument too long");
	strcpy(buf, arg);
	vals = strchr(buf, '=');
	if (!vals)
		return opt_err(err, errlen, -EINVAL,
			       "want ADDR=VALUE[,VALUE...]");
	*vals++ = 0;
	if (gctl_parse_u64(buf, &s->addr))
		return opt_err(err, errlen, -EINVAL, "%s: not an address", buf);
	s->nr_values = 0;
	if (!*vals)
		return opt_err(err, errlen, -EINVAL, "no value");
	/* Not strtok: "1,,2" has an empty value, which is an error. */
	for (tok = vals; tok; tok = next) {
		next = strchr(tok, ',');
		if (next)
			*next++ = 0;
		if (!*tok)
			return opt_err(err, errlen, -EINVAL,
				       "value %u is empty", s->nr_values + 1);
		if (s->nr_values == GCTL_SCRIPT_MAX_VALUES)
			return opt_err(err, errlen, -EINVAL,
				       "at most %d values",
				       GCTL_SCRIPT_MAX_VALUES);
		if (gctl_parse_u64(tok, &s->values[s->nr_values++]))
			return opt_err(err, errlen, -EINVAL, "%s: not a number",
				       tok);
	}
	return 0;
}
