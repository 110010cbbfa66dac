/* cli_net.c - the network's options: --net, --net slirp's ports, MTU, IPv6,
 * TCP bypass and egress rules (src/net/) */
#include "autoconf.h"

#include <errno.h>
#include <string.h>

#include "cli_table.h"
#include "publish_spec.h"
#include "util.h"

static void set_net(struct sbx_config *c, enum sbx_net_mode mode)
{
	c->net = mode;
	c->share[SBX_NS_NET] = mode == SBX_NET_HOST;
}

static int opt_net(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		   enum cli_action *action, struct sbx_error *e)
{
	if (strcmp(args[0], "none") == 0)
		set_net(c, SBX_NET_NONE);
	else if (strcmp(args[0], "host") == 0)
		set_net(c, SBX_NET_HOST);
	else if (strcmp(args[0], "slirp") == 0 || strcmp(args[0], "user") == 0)
		set_net(c, SBX_NET_SLIRP);
	else
		return sbx_error_set(e, 0, "--net %s: unknown mode (none, host, slirp)", args[0]);
	return 0;
}

static int opt_mtu(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		   enum cli_action *action, struct sbx_error *e)
{
	unsigned long n;

	if (parse_uint(args[0], SBX_MTU_DEFAULT, &n) < 0 || n < 576)
		return sbx_error_set(e, 0, "--mtu %s: expected 576 to %u", args[0], SBX_MTU_DEFAULT);
	c->mtu = (unsigned)n;
	c->mtu_set = true;
	return 0;
}

static int opt_publish(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	struct sbx_publish p;
	int r;

	if (c->n_publish >= SBX_PUBLISH_MAX)
		return sbx_error_set(e, 0, "--publish %s: at most %d ports", args[0], SBX_PUBLISH_MAX);
	r = publish_spec_parse(args[0], &p, e);
	if (r < 0)
		return r;
	c->publish = xreallocarray(c->publish, c->n_publish + 1, sizeof(*c->publish));
	c->publish[c->n_publish++] = p;
	return 0;
}

/* --allow-net: the egress rules of src/net/egress*.c. */
static int opt_allow_net(struct sbx_config *c, const struct cli_option *o,
			 const char *const *args, enum cli_action *action, struct sbx_error *e)
{
	struct egress_rule r;

	if (egress_rule_parse(args[0], &r, e) < 0)
		return -EINVAL;
	if (c->n_allow_net == EGRESS_MAX_RULES)
		return sbx_error_set(e, 0, "--allow-net: more than %d rules", EGRESS_MAX_RULES);
	c->allow_net = xreallocarray(c->allow_net, c->n_allow_net + 1, sizeof(*c->allow_net));
	c->allow_net[c->n_allow_net++] = r;
	return 0;
}

static const struct cli_option net_rows[] = {
	{ "net", 0, 1, "none|host|slirp",
	  "network: none (lo only; default), host, or slirp (= user: private, NATed)", opt_net, 0,
	  CLI_F_SINGLE },
	{ "publish", 'p', 1, "[IP:]PORT:PORT[/udp]",
	  "--net slirp: forward host IP:PORT (default 0.0.0.0) to the sandbox's PORT", opt_publish,
	  0, 0 },
	{ "mtu", 0, 1, "N", "--net slirp: MTU of tap0 (default 65520)", opt_mtu, 0, CLI_F_SINGLE },
	{ "no-ipv6", 0, 0, NULL, "--net slirp: IPv4 only", cli_table_flag, CLI_FLAG(no_ipv6),
	  CLI_F_SINGLE },
	{ "no-tcp-bypass", 0, 0, NULL,
	  "--net slirp: TCP through libslirp and the relay, not on host sockets", cli_table_flag,
	  CLI_FLAG(no_tcp_bypass), CLI_F_SINGLE },
	{ "allow-host-loopback", 0, 0, NULL,
	  "--net slirp: let 10.0.2.2, fd00::2 reach the host's loopback, and its addresses",
	  cli_table_flag, CLI_FLAG(allow_host_loopback), CLI_F_SINGLE },
	{ "allow-host", 0, 0, NULL, "--net slirp: = --allow-host-loopback", cli_table_flag,
	  CLI_FLAG(allow_host_loopback), CLI_F_SINGLE },
	{ "allow-net", 0, 1, "HOST[:PORTS]",
	  "--net slirp (implied): reach only these names, *.names, IPs, CIDRs (repeatable)",
	  opt_allow_net, 0, 0 },
};

const struct cli_option_group cli_net_options = CLI_GROUP(net_rows);
