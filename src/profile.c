/* profile.c - finding, reading and applying profile files */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_path.h"
#include "profile.h"
#include "trusted_path.h"
#include "util.h"

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > PROFILE_MAX_NAME || s[0] == '.')
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}

/* The three directories a NAME is looked up in, most personal first. */
static void search_dirs(const struct sbx_config *c, char *ret_dirs[3])
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *shipped = getenv("SBX_PROFILES_DIR");

	/* The XDG spec: a relative $XDG_CONFIG_HOME is invalid and ignored. */
	ret_dirs[0] = xdg && xdg[0] == '/' ? xasprintf("%s/sbx", xdg)
					   : xasprintf("%s/.config/sbx", c->home);
	ret_dirs[1] = xstrdup("/etc/sbx");
	ret_dirs[2] = xstrdup(shipped && shipped[0] == '/' ? shipped : SBX_PROFILE_DIR);
}

int profile_find(const struct sbx_config *c, const char *spec, const char *base_dir,
		 const char *what, char **ret_path, struct sbx_error *e)
{
	char *dirs[3];
	int r = 0;

	if (strchr(spec, '/')) {
		*ret_path = cli_resolve_path(spec, c->home, base_dir ? base_dir : c->cwd);
		if (!*ret_path)
			return sbx_error_set(e, c->cwd_errno, "%s %s: a relative path, but the current "
							      "directory cannot be found", what, spec);
		return 0;
	}
	if (!valid_name(spec))
		return sbx_error_set(e, 0, "%s %s: not a profile NAME (letters, digits, '_', '-', "
					   "'.') or a PATH with a '/'", what, spec);
	search_dirs(c, dirs);
	*ret_path = NULL;
	for (size_t i = 0; i < 3 && !*ret_path && r == 0; i++) {
		char *path = xasprintf("%s/%s.conf", dirs[i], spec);
		struct stat st;

		if (stat(path, &st) == 0)
			*ret_path = path;
		else if (errno != ENOENT && errno != ENOTDIR)
			r = sbx_error_set(e, errno, "%s %s: %s", what, spec, path);
		if (*ret_path != path)
			free(path);
	}
	if (r == 0 && !*ret_path) {
		size_t n = strlen(spec);
		bool file = n > 5 && strcmp(spec + n - 5, ".conf") == 0;

		r = sbx_error_set(e, 0, "%s %s: no %s.conf in %s, %s or %s%s%s%s", what, spec, spec,
				  dirs[0], dirs[1], dirs[2], file ? " (write ./" : "",
				  file ? spec : "", file ? " for a file)" : "");
	}
	for (size_t i = 0; i < 3; i++)
		free(dirs[i]);
	return r;
}

/* Read @path whole, refusing what a profile cannot sensibly be. */
static int read_profile(const struct sbx_config *c, const char *path, char **ret_text,
			size_t *ret_len, struct stat *ret_st, struct sbx_error *e)
{
	const struct trusted_path_who who = { .uid = c->host_uid, .gid = c->host_gid };
	_cleanup_free_ char *what = xasprintf("profile %s", path);
	/* O_NONBLOCK: a FIFO must not hang sbx in open(). The walk refuses a
	 * directory or link on the way that someone else could change, and
	 * the file is judged by the fd it was read from, not by its name. */
	_cleanup_close_ int fd = trusted_path_open(path, &who, false,
						   O_RDONLY | O_NOCTTY | O_NONBLOCK, ret_st, what,
						   e);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	if (fd < 0)
		return fd;
	if (!S_ISREG(ret_st->st_mode))
		return sbx_error_set(e, 0, "profile %s: not a regular file", path);
	/* A profile can share the network or bind anything: only its owner
	 * (you or root) may have written it. */
	if (ret_st->st_uid != c->host_uid && ret_st->st_uid != 0)
		return sbx_error_set(e, 0, "profile %s: owned by uid %u, neither you nor root", path,
				     (unsigned)ret_st->st_uid);
	if (ret_st->st_mode & S_IWOTH)
		return sbx_error_set(e, 0, "profile %s: writable by everyone", path);
	if (trusted_path_writable_by_others(ret_st, &who))
		return sbx_error_set(e, 0, "profile %s: writable by group %u, not yours", path,
				     (unsigned)ret_st->st_gid);
	if (ret_st->st_size > PROFILE_MAX_FILE)
		return sbx_error_set(e, EFBIG, "profile %s: larger than %d bytes", path,
				     PROFILE_MAX_FILE);
	r = read_all(fd, PROFILE_MAX_FILE, &text, &len);
	if (r == -EFBIG)
		return sbx_error_set(e, EFBIG, "profile %s: larger than %d bytes", path,
				     PROFILE_MAX_FILE);
	if (r < 0)
		return sbx_error_set(e, -r, "profile %s", path);
	*ret_text = TAKE_PTR(text);
	*ret_len = len;
	return 0;
}

int profile_load(struct sbx_config *c, const char *spec, const char *base_dir,
		 profile_apply_fn apply, struct sbx_error *e)
{
	struct sbx_profile_state *s = &c->profile;
	_cleanup_free_ char *path = NULL, *text = NULL;
	struct stat st;
	size_t len = 0;
	int r;

	if (s->depth == 0)
		s->located = false;
	r = profile_find(c, spec, base_dir, base_dir ? "include" : "--profile", &path, e);
	if (r < 0)
		return r;
	if (s->depth >= SBX_PROFILE_MAX_DEPTH)
		return sbx_error_set(e, 0, "include %s: profiles nested more than %d deep", spec,
				     SBX_PROFILE_MAX_DEPTH);
	if (s->n_loaded >= SBX_PROFILE_MAX_FILES)
		return sbx_error_set(e, 0, "include %s: more than %d profile files in one run", spec,
				     SBX_PROFILE_MAX_FILES);
	r = read_profile(c, path, &text, &len, &st, e);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < s->depth; i++)
		if (s->dev[i] == st.st_dev && s->ino[i] == st.st_ino)
			return sbx_error_set(e, ELOOP, "include %s: %s includes itself", spec, path);
	s->dev[s->depth] = st.st_dev;
	s->ino[s->depth] = st.st_ino;
	s->depth++;
	s->n_loaded++;
	r = profile_apply_text(c, path, text, len, apply, e);
	s->depth--;
	return r;
}

/* One line's words: "include X" or an option with its arguments. */
static int apply_words(struct sbx_config *c, const char *file, char **words, size_t n,
		       profile_apply_fn apply, struct sbx_error *e)
{
	const char *name = words[0];

	if (strcmp(name, "include") == 0) {
		_cleanup_free_ char *dir = xstrdup(file);
		char *slash = strrchr(dir, '/');

		if (n != 2)
			return sbx_error_set(e, 0, "include takes one NAME or PATH");
		if (slash)
			slash[slash == dir] = '\0';
		return profile_load(c, words[1], slash ? dir : "/", apply, e);
	}
	/* Tolerate "--bind x": it is what one copies from a command line. */
	if (strncmp(name, "--", 2) == 0 && name[2])
		name += 2;
	return apply(c, name, (const char *const *)words + 1, n - 1, file, e);
}

int profile_apply_text(struct sbx_config *c, const char *file, const char *text, size_t len,
		       profile_apply_fn apply, struct sbx_error *e)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0;
	int r = 0;

	if (memchr(text, '\0', len))
		return sbx_error_set(e, 0, "profile %s: a NUL byte: not a text file", file);
	while (r == 0 && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *words[PROFILE_MAX_WORDS];
		_cleanup_free_ char *line = NULL;
		size_t nw = 0;

		lineno++;
		line = xasprintf("%.*s", (int)(n > PROFILE_MAX_LINE ? 0 : n), p);
		p += n + (nl != NULL);
		if (n && n <= PROFILE_MAX_LINE && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (n > PROFILE_MAX_LINE)
			r = sbx_error_set(e, 0, "a line longer than %d bytes", PROFILE_MAX_LINE);
		else
			r = profile_lex_line(line, c->home, words, &nw, e);
		if (r == 0 && nw) {
			r = apply_words(c, file, words, nw, apply, e);
			for (size_t k = 0; k < nw; k++)
				free(words[k]);
		}
		/* Name the innermost file and line only, not every include on the way. */
		if (r < 0 && !c->profile.located) {
			char msg[SBX_ERROR_MSG_MAX];

			memcpy(msg, e->msg, sizeof(msg));
			sbx_error_set(e, e->err, "%s:%u: %s", file, lineno, msg);
			c->profile.located = true;
		}
	}
	return r;
}
