/* test-oci-spec.c - config.json parsing (src/oci/oci_spec*.c), the runc-style
 * argument parser, signal names and container ids */
#include "autoconf.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "oci_args.h"
#include "oci_cgroup.h"
#include "oci_cmds.h"
#include "oci_resources.h"
#include "oci_spec.h"
#include "oci_state.h"
#include "tap.h"

static int parse(const char *text, struct oci_spec *s, struct sbx_error *e)
{
	memset(e, 0, sizeof(*e));
	return oci_spec_parse(text, strlen(text), "/b", s, e);
}

/* A minimal valid config with @extra members spliced in at the top level. */
static char *config(const char *extra)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf),
		 "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
		 " \"process\": {\"args\": [\"/bin/true\"], \"cwd\": \"/\"}%s%s}",
		 *extra ? ", " : "", extra);
	return buf;
}

static void test_full(void)
{
	const char *text =
		"{\"ociVersion\": \"1.2.0\", \"hostname\": \"h\","
		" \"root\": {\"path\": \"/r\", \"readonly\": true},"
		" \"process\": {\"terminal\": true, \"consoleSize\": {\"height\": 24, \"width\": 80},"
		"  \"args\": [\"sh\", \"-c\", \"x\"], \"env\": [\"A=1\"], \"cwd\": \"/w\","
		"  \"user\": {\"uid\": 1000, \"gid\": 100, \"umask\": 18, \"additionalGids\": [5, 6]},"
		"  \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\"], \"ambient\": [\"CAP_KILL\"]},"
		"  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 10, \"hard\": 20}],"
		"  \"noNewPrivileges\": true, \"oomScoreAdj\": 100},"
		" \"mounts\": [{\"destination\": \"/d\", \"type\": \"bind\", \"source\": \"rel\", \"options\": [\"rbind\", \"ro\", \"nosuid\", \"rprivate\"]},"
		"  {\"destination\": \"/t\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nodev\", \"mode=755\", \"size=1k\", \"tmpcopyup\"]}],"
		" \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\", \"path\": \"/run/netns/x\"}, {\"type\": \"mount\"}, {\"type\": \"user\"}],"
		"  \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}, {\"containerID\": 1, \"hostID\": 100000, \"size\": 65536}],"
		"  \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
		"  \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}, \"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"],"
		"  \"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229}],"
		"  \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}], \"memory\": {}},"
		"  \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}},"
		" \"hooks\": {\"createRuntime\": [{\"path\": \"/bin/hook\", \"args\": [\"hook\", \"1\"], \"timeout\": 5}]},"
		" \"annotations\": {\"a\": \"b\", \"org.sbx.landlock.fs\": \"ro:/usr\"}, \"futureField\": {\"x\": 1}}";
	struct oci_spec s;
	struct sbx_error e;
	int r = parse(text, &s, &e);

	ok(r == 0, "a full config parses (%s)", e.msg);
	if (r < 0) {
		oci_spec_free(&s);
		return;
	}
	is_str(s.root, "/r", "root.path");
	ok(s.root_readonly, "root.readonly");
	is_str(s.hostname, "h", "hostname");
	ok(s.process.terminal && s.process.rows == 24 && s.process.cols == 80, "terminal and its size");
	is_str(s.process.args[2], "x", "process.args");
	ok(s.process.args[3] == NULL, "args end with NULL");
	is_str(s.process.cwd, "/w", "process.cwd");
	ok(s.process.uid == 1000 && s.process.gid == 100, "user ids");
	ok(s.process.has_umask && s.process.umask == 022, "umask");
	ok(s.process.n_groups == 2 && s.process.groups[1] == 6, "additionalGids");
	ok(s.process.caps[OCI_CAP_BOUNDING] == ((1u << 5) | (1u << 0)), "bounding set");
	ok(s.process.caps[OCI_CAP_AMBIENT] == (1u << 5) && s.process.caps[OCI_CAP_EFFECTIVE] == 0,
	   "ambient set; absent sets are empty");
	ok(s.process.n_rlimits == 1 && s.process.rlimits[0].resource == RLIMIT_NOFILE &&
		   s.process.rlimits[0].soft == 10 && s.process.rlimits[0].hard == 20,
	   "rlimits");
	ok(s.process.no_new_privs && s.process.has_oom_score_adj && s.process.oom_score_adj == 100,
	   "noNewPrivileges, oomScoreAdj");
	ok(s.n_mounts == 2, "two mounts");
	is_str(s.mounts[0].source, "/b/rel", "a relative bind source is the bundle's");
	ok(s.mounts[0].bind && (s.mounts[0].flags & (MS_REC | MS_RDONLY | MS_NOSUID)) ==
					  (MS_REC | MS_RDONLY | MS_NOSUID),
	   "rbind,ro,nosuid");
	ok(s.mounts[0].propagation == (MS_PRIVATE | MS_REC), "rprivate");
	is_str(s.mounts[1].data, "mode=755,size=1k", "data options kept, tmpcopyup dropped");
	ok(s.n_ns == 4 && s.ns[1].type == CLONE_NEWNET && s.ns[1].path &&
		   s.ns[3].type == CLONE_NEWUSER && !s.ns[3].path,
	   "namespaces, new and joined");
	is_str(s.uid_map, "0 1000 1\n1 100000 65536\n", "uidMappings as map text");
	is_str(s.sysctl[0], "net.ipv4.ip_forward=1", "sysctl");
	ok(s.n_masked == 1 && s.n_readonly == 1, "masked and read-only paths");
	ok(s.n_devices == 1 && s.devices[0].type == 'c' && s.devices[0].minor == 229 &&
		   s.devices[0].mode == 0666,
	   "devices, default mode 0666");
	ok(s.seccomp_json && strstr(s.seccomp_json, "SCMP_ACT_ALLOW"), "linux.seccomp kept as JSON");
	ok(s.n_hooks[OCI_HOOK_CREATE_RUNTIME] == 1 &&
		   s.hooks[OCI_HOOK_CREATE_RUNTIME][0].timeout == 5,
	   "hooks");
	is_str(s.landlock_fs, "ro:/usr", "the Landlock annotation");
	ok(strstr(s.annotations_json, "\"a\":\"b\"") != NULL, "annotations kept for the state");
	oci_spec_free(&s);
}

static void expect_error(const char *extra, const char *want, const char *what)
{
	struct oci_spec s;
	struct sbx_error e;
	int r = parse(config(extra), &s, &e);

	ok(r < 0 && strstr(e.msg, want), "%s: refused naming '%s'", what, want);
	if (r == 0 || !strstr(e.msg, want))
		printf("#   got: %d '%s'\n", r, e.msg);
	oci_spec_free(&s);
}

static void test_errors(void)
{
	struct oci_spec s;
	struct sbx_error e;

	ok(parse(config(""), &s, &e) == 0, "the minimal config parses");
	oci_spec_free(&s);
	expect_error("\"linux\": {\"intelRdt\": {\"closID\": \"x\"}}", "linux.intelRdt", "intelRdt");
	expect_error("\"linux\": {\"resources\": {\"hugepageLimits\": [{\"limit\": 5}]}}",
		     "linux.resources.hugepageLimits", "an unenforceable limit");
	expect_error("\"linux\": {\"resources\": {\"cpu\": {\"shares\": 512}}}",
		     "linux.resources.cpu.shares", "a cpu weight");
	expect_error("\"linux\": {\"resources\": {\"memory\": {\"reservation\": 4096}}}",
		     "linux.resources.memory.reservation", "a memory member sbx does not read");
	expect_error("\"linux\": {\"resources\": {\"pids\": {\"limit\": \"5\"}}}",
		     "linux.resources.pids", "a limit that is not a number");
	ok(parse(config("\"linux\": {\"resources\": {\"cpu\": {\"shares\": 1024, \"quota\": -1}, "
			"\"memory\": {\"limit\": 0}, \"pids\": {\"limit\": -1}}}"), &s, &e) == 0,
	   "resources that ask for nothing (containerd's defaults) are fine");
	oci_spec_free(&s);
	expect_error("\"linux\": {\"namespaces\": [{\"type\": \"bogus\"}]}", "linux.namespaces[0].type",
		     "an unknown namespace");
	expect_error("\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}", "twice",
		     "a namespace twice");
	expect_error("\"mounts\": [{\"destination\": \"rel\"}]", "mounts[0].destination", "a relative mount point");
	expect_error("\"mounts\": [{\"destination\": \"/x\", \"options\": [\"idmap\"]}]", "option 'idmap'",
		     "an idmapped mount");
	expect_error("\"mounts\": [{\"destination\": \"/x\", \"options\": [1]}]", "mounts.options[0]",
		     "a non-string option");
	expect_error("\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 0, \"size\": 0}]}",
		     "uidMappings[0].size", "an empty id range");
	expect_error("\"linux\": {\"sysctl\": {\"../x\": \"1\"}}", "linux.sysctl", "a sysctl leaving /proc/sys");
	expect_error("\"hooks\": {\"poststop\": [{\"path\": \"rel\"}]}", "hooks.poststop[0].path", "a relative hook");
	expect_error("\"linux\": {\"seccomp\": {\"listenerPath\": \"/s\"}}", "linux.seccomp.listenerPath",
		     "a seccomp listener");
	ok(parse("{\"ociVersion\": \"2.0\"}", &s, &e) < 0 && strstr(e.msg, "ociVersion"), "ociVersion 2 refused");
	oci_spec_free(&s);
	ok(parse("{\"ociVersion\": \"1.0\", \"root\": {\"path\": \"r\"}}", &s, &e) < 0 &&
		   strstr(e.msg, "process: missing"),
	   "no process refused");
	oci_spec_free(&s);
	ok(parse("{\"ociVersion\": ", &s, &e) < 0 && strstr(e.msg, "not valid JSON"), "truncated JSON");
	oci_spec_free(&s);
	ok(parse("{\"ociVersion\": \"1.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": []}}", &s, &e) < 0 &&
		   strstr(e.msg, "process.args: empty"),
	   "empty args refused");
	oci_spec_free(&s);
	ok(parse("{\"ociVersion\": \"1.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"x\"], "
		 "\"capabilities\": {\"bounding\": [\"CAP_NOPE\"]}}}", &s, &e) < 0 &&
		   strstr(e.msg, "CAP_NOPE"),
	   "unknown capability named");
	oci_spec_free(&s);
	ok(parse(config("\"process\": {\"args\": [\"x\"], \"apparmorProfile\": \"\"}"), &s, &e) == 0,
	   "an empty apparmorProfile asks for nothing");
	oci_spec_free(&s);
}

static void test_args(void)
{
	struct oci_flag flags[] = { { .name = "all", .shrt = 'a' },
				    { .name = "pid-file", .has_arg = true },
				    { .name = "env", .shrt = 'e', .has_arg = true, .multi = true },
				    { 0 } };
	char *argv[] = { "ID", "KILL", "--all", "-pid-file=/p", "-e", "A=1", "--env", "B=2" };
	char *pos[OCI_ARGS_MAX_POS];
	struct sbx_error e = { 0 };
	int n = 0;

	ok(oci_args_parse(8, argv, flags, false, pos, &n, &e) == 0, "flags after positionals");
	ok(n == 2 && strcmp(pos[1], "KILL") == 0, "both positionals kept");
	ok(flags[0].set && strcmp(flags[1].value, "/p") == 0, "--all and -pid-file=VALUE");
	ok(flags[2].n_values == 2 && strcmp(flags[2].values[1], "B=2") == 0, "repeated -e");
	{
		struct oci_flag f2[] = { { .name = "tty", .shrt = 't' }, { 0 } };
		char *argv2[] = { "-t", "ID", "sh", "-c", "x" };

		ok(oci_args_parse(5, argv2, f2, true, pos, &n, &e) == 0 && n == 4 && f2[0].set &&
			   strcmp(pos[3], "x") == 0,
		   "exec: the command's own flags stay its own");
		char *argv3[] = { "--nope" };
		ok(oci_args_parse(1, argv3, f2, true, pos, &n, &e) < 0 && strstr(e.msg, "--nope"),
		   "an unknown flag is named");
	}
	ok(oci_parse_signal("9") == 9 && oci_parse_signal("KILL") == SIGKILL &&
		   oci_parse_signal("SIGTERM") == SIGTERM && oci_parse_signal("NOPE") < 0 &&
		   oci_parse_signal("0") < 0,
	   "signal names and numbers");
}

static void test_landlock(void)
{
	struct oci_landlock ll;
	struct sbx_error e = { 0 };

	ok(oci_landlock_parse("ro:/usr:/etc,/bin;rw:/tmp", "connect:80:443;bind:8080", &ll, &e) == 0,
	   "Landlock annotations parse (%s)", e.msg);
	ok(ll.fs && ll.n_paths == 4 && !ll.rw[2] && ll.rw[3] && strcmp(ll.paths[1], "/etc") == 0,
	   "fs rules: ':' and ',' separate paths, ';' rules");
	ok(ll.net && ll.n_connect == 2 && ll.connect[1] == 443 && ll.n_bind == 1 && ll.bind[0] == 8080,
	   "net rules");
	oci_landlock_free(&ll);
	ok(oci_landlock_parse("connect:", NULL, &ll, &e) < 0, "net rules in the fs annotation refused");
	oci_landlock_free(&ll);
	ok(oci_landlock_parse(NULL, "connect:", &ll, &e) == 0 && ll.net && ll.n_connect == 0,
	   "'connect:' alone denies every port");
	ok(oci_landlock_parse("ro:usr", NULL, &ll, &e) < 0 && strstr(e.msg, "absolute"),
	   "a relative path refused");
	oci_landlock_free(&ll);
	ok(oci_landlock_parse(NULL, "bind:70000", &ll, &e) < 0 && strstr(e.msg, "70000"),
	   "a port out of range refused");
	oci_landlock_free(&ll);
}

static void test_ids(void)
{
	struct sbx_error e = { 0 };
	char *dir = NULL;

	ok(oci_state_dir("/r", "abc-1.2_x", &dir, &e) == 0 && strcmp(dir, "/r/abc-1.2_x") == 0,
	   "a plain id");
	free(dir);
	ok(oci_state_dir("/r", "../x", &dir, &e) < 0, "an id with a slash is refused");
	ok(oci_state_dir("/r", "..", &dir, &e) < 0, "'..' is refused");
	ok(oci_state_dir("/r", "", &dir, &e) < 0, "an empty id is refused");
}

/* linux.resources: parsed into the limits, then mapped onto the host. */
static void test_resources(void)
{
	struct oci_resources_host user = { .nproc_per_userns = true, .cgroup = "hybrid" };
	struct oci_resources_host root = user, old = user;
	struct oci_spec s;
	struct sbx_error e;
	int r;

	root.root = true;
	old.nproc_per_userns = false;
	r = parse(config("\"linux\": {\"resources\": {\"pids\": {\"limit\": 5}, "
			 "\"memory\": {\"limit\": 1048576, \"swap\": 2097152, \"swappiness\": 0}, "
			 "\"cpu\": {\"quota\": 50000, \"period\": 100000, \"shares\": 1024}}}"),
		  &s, &e);
	ok(r == 0 && s.resources.pids == 5 && s.resources.memory == 1048576 &&
		   s.resources.swap == 2097152 && s.resources.cpu_quota == 50000 &&
		   s.resources.cpu_period == 100000,
	   "pids.limit, memory.limit/swap and cpu.quota/period are read");
	r = oci_resources_map(&s.resources, &user, &s.process, &e);
	ok(r == -EOPNOTSUPP && strstr(e.msg, "linux.resources.memory.limit: cannot be applied") &&
		   strstr(e.msg, "hybrid"),
	   "memory.limit without a cgroup is refused, naming it and what the host has");
	s.resources.memory = 0;
	r = oci_resources_map(&s.resources, &user, &s.process, &e);
	ok(r < 0 && strstr(e.msg, "linux.resources.memory.swap"), "so is memory.swap");
	s.resources.swap = 0;
	r = oci_resources_map(&s.resources, &user, &s.process, &e);
	ok(r < 0 && strstr(e.msg, "linux.resources.cpu.quota"), "so is cpu.quota");
	s.resources.cpu_quota = s.resources.cpu_period = 0;
	r = oci_resources_map(&s.resources, &root, &s.process, &e);
	ok(r < 0 && strstr(e.msg, "linux.resources.pids.limit") && strstr(e.msg, "root"),
	   "pids.limit for root is refused: RLIMIT_NPROC does not apply to it");
	r = oci_resources_map(&s.resources, &old, &s.process, &e);
	ok(r < 0 && strstr(e.msg, "5.14"), "pids.limit before Linux 5.14 is refused");
	r = oci_resources_map(&s.resources, &user, &s.process, &e);
	ok(r == 0 && s.process.n_rlimits == 1 && s.process.rlimits[0].resource == RLIMIT_NPROC &&
		   s.process.rlimits[0].soft == 5 && s.process.rlimits[0].hard == 5,
	   "pids.limit for a user is RLIMIT_NPROC of the process");
	oci_spec_free(&s);

	/* process.rlimits' own RLIMIT_NPROC, as parse_rlimits() would leave it */
	r = parse(config("\"linux\": {\"resources\": {\"pids\": {\"limit\": 64}}}"), &s, &e);
	s.process.rlimits = calloc(1, sizeof(*s.process.rlimits));
	s.process.rlimits[0] = (struct oci_rlimit){ RLIMIT_NPROC, 50, 100 };
	s.process.n_rlimits = 1;
	if (r == 0)
		r = oci_resources_map(&s.resources, &user, &s.process, &e);
	ok(r == 0 && s.process.n_rlimits == 1 && s.process.rlimits[0].soft == 50 &&
		   s.process.rlimits[0].hard == 64,
	   "pids.limit lowers the process's own RLIMIT_NPROC, never raises it");
	if (r < 0)
		printf("#   got: %d '%s'\n", r, e.msg);
	oci_spec_free(&s);

	r = parse(config("\"linux\": {\"resources\": {\"pids\": {\"limit\": -1}, "
			 "\"memory\": {\"limit\": -1, \"swap\": 0}}}"),
		  &s, &e);
	if (r == 0)
		r = oci_resources_map(&s.resources, &root, &s.process, &e);
	ok(r == 0 && s.process.n_rlimits == 0, "limits of -1 and 0 ask for nothing, even for root");
	oci_spec_free(&s);
	r = parse(config("\"linux\": {\"cgroupsPath\": \"/user.slice/c1\", \"resources\": {\"pids\": {\"limit\": 9}}}"),
		  &s, &e);
	ok(r == 0 && s.cgroups_path && strcmp(s.cgroups_path, "/user.slice/c1") == 0 &&
		   oci_cgroup_wanted(&s),
	   "linux.cgroupsPath is kept for the container's cgroup");
	oci_spec_free(&s);
}

int main(void)
{
	test_full();
	test_errors();
	test_args();
	test_landlock();
	test_ids();
	test_resources();
	return tap_done();
}
