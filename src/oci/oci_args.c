/* oci_args.c - runc-style command lines: a table of flags per command */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci_args.h"

struct oci_flag *oci_flag(struct oci_flag *flags, const char *name)
{
	for (struct oci_flag *f = flags; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	abort();
}

static struct oci_flag *find(struct oci_flag *flags, const char *arg, size_t len)
{
	for (struct oci_flag *f = flags; f->name; f++) {
		if (len == 1 && f->shrt == arg[0])
			return f;
		if (strlen(f->name) == len && strncmp(f->name, arg, len) == 0)
			return f;
	}
	return NULL;
}

static int take(struct oci_flag *f, const char *value, struct sbx_error *e)
{
	f->set = true;
	f->value = value;
	if (f->multi) {
		if (f->n_values >= OCI_FLAG_MAX_VALUES)
			return sbx_error_set(e, E2BIG, "--%s: given too often", f->name);
		f->values[f->n_values++] = value;
	}
	return 0;
}

static int add_pos(char **pos, int *n, char *arg, struct sbx_error *e)
{
	if (*n >= OCI_ARGS_MAX_POS)
		return sbx_error_set(e, E2BIG, "too many arguments");
	pos[(*n)++] = arg;
	return 0;
}

int oci_args_parse(int argc, char **argv, struct oci_flag *flags, bool stop_at_positional,
		   char **ret_pos, int *ret_n, struct sbx_error *e)
{
	int i = 0;

	*ret_n = 0;

	while (i < argc) {
		const char *a = argv[i], *name, *eq;
		struct oci_flag *f;
		size_t len;

		if (strcmp(a, "--") == 0 || ((a[0] != '-' || a[1] == '\0') && stop_at_positional)) {
			for (i += strcmp(a, "--") == 0; i < argc; i++)
				if (add_pos(ret_pos, ret_n, argv[i], e) < 0)
					return -E2BIG;
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			/* runc takes flags after the ID too ("kill ID SIG --all"). */
			if (add_pos(ret_pos, ret_n, argv[i++], e) < 0)
				return -E2BIG;
			continue;
		}
		name = a + 1 + (a[1] == '-');
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		f = find(flags, name, len);
		if (!f) {
			sbx_error_set(e, 0, "unknown option %.*s", (int)(len + 2), a);
			return -EINVAL;
		}
		if (!f->has_arg) {
			/* Boolean flags take "--x=true" / "--x=false" (Go's flag package). */
			f->set = !eq || strcmp(eq + 1, "false") != 0;
			i++;
			continue;
		}
		if (!eq && i + 1 >= argc) {
			sbx_error_set(e, 0, "--%s needs a value", f->name);
			return -EINVAL;
		}
		if (take(f, eq ? eq + 1 : argv[i + 1], e) < 0)
			return -E2BIG;
		i += eq ? 1 : 2;
	}
	return 0;
}
