#!/usr/bin/env bash
# profiles.sh - --profile (the shipped ones, lookup, include, overriding,
# bad lines), --print-config and its round trip, --home.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns

# The in-tree profiles (make check sets this; by hand it is found here).
: "${SBX_PROFILES_DIR:=$TESTS_SRCDIR/../profiles}"
export SBX_PROFILES_DIR
make_temp_dir
D=$TMPD
# A home and a config directory of the test's own: nothing of the real ones.
export HOME=$D/home XDG_CONFIG_HOME=$D/xdg
mkdir -p "$HOME/proj" "$XDG_CONFIG_HOME/sbx"
cd "$HOME/proj" || exit 1
no_comments() { grep -v '^#' || true; }

# --- every shipped profile starts ------------------------------------------------

n=0
for f in "$SBX_PROFILES_DIR"/*.conf; do
	name=$(basename "$f" .conf)
	n=$((n + 1))
	run_sbx --profile "$name" -- sh -c 'echo started'
	expect_out "shipped profile '$name' starts" started
done
[ "$n" -ge 2 ] && pass "found $n shipped profiles" || fail "found $n shipped profiles in $SBX_PROFILES_DIR"

# --- dev -----------------------------------------------------------------------

echo '[user] name = t' >"$HOME/.gitconfig"
mkdir -p "$HOME/.ssh" && echo secret >"$HOME/.ssh/id"
run_sbx --profile dev -- sh -c 'touch made-in-dev && cat ~/.gitconfig &&
	{ echo x >>~/.gitconfig; } 2>/dev/null || echo gitconfig-ro; ls ~/.ssh 2>/dev/null || echo no-ssh'
expect_out "dev: cwd writable, ~/.gitconfig read-only, no ~/.ssh" "[user] name = t" gitconfig-ro no-ssh
[ -e made-in-dev ] && pass "dev: the file written in the project is on the host" ||
	fail "dev: the file written in the project is on the host"
mkdir -p "$HOME/.config/git" && echo '[core] x = 1' >"$HOME/.config/git/config" &&
	echo 'https://u:token@example.com' >"$HOME/.config/git/credentials"
run_sbx --profile dev -- sh -c 'cat ~/.config/git/config; cat ~/.config/git/credentials 2>/dev/null || echo no-credentials'
expect_out "dev: git's XDG config read-only, its stored credentials not" "[core] x = 1" no-credentials
cd "$HOME" || exit 1
for p in dev build; do
	run_sbx --profile "$p" -- sh -c 'ls ~/.ssh'
	expect_error "$p started in \$HOME: refused (bind . would be all of it, ~/.ssh too)" 125 \
		"^sbx: .*/$p.conf:[0-9]+: bind \\.: that is $HOME here, which holds all of your home $HOME; start sbx in a project's directory"
done
cd "$HOME/proj" || exit 1
run_sbx --profile dev -- sh -c 'echo "echo hello" >>~/.sh_history'
run_sbx --profile dev -- sh -c 'cat ~/.sh_history'
expect_out "dev: the home persists across runs (--home)" "echo hello"
homes=$HOME/.local/share/sbx/homes/dev
expect_eq "dev: the persistent home is 0700" 700 "$(stat -c %a "$homes" 2>&1)"
expect_eq "dev: its history is on the host" "echo hello" "$(cat "$homes/.sh_history" 2>&1)"
run_sbx --profile dev -- sh -c 'cat /proc/net/dev | wc -l'
expect_eq "dev: the host's network (--share-net)" "$(wc -l </proc/net/dev)" "$OUT"

# --- build ---------------------------------------------------------------------

run_sbx --profile build -- sh -c 'touch made-in-build && ls -A ~ && grep -c : /proc/net/dev'
expect_out "build: cwd writable, the rest of \$HOME empty, only lo" proj 1
[ -e made-in-build ] && pass "build: the output is on the host" || fail "build: the output is on the host"

# --- lookup, include, overriding -------------------------------------------------

printf 'hostname mine\n' >"$XDG_CONFIG_HOME/sbx/build.conf"
run_sbx --profile build hostname
expect_out "a profile in \$XDG_CONFIG_HOME/sbx comes before the shipped one" mine
rm "$XDG_CONFIG_HOME/sbx/build.conf"

printf '# mine\ninclude build\nhostname from-profile\nsetenv WHO "${SBX_T_WHO} x"\n' \
	>"$XDG_CONFIG_HOME/sbx/my.conf"
run_cmd env SBX_T_WHO=me "$SBX" --profile my -- sh -c 'hostname; echo "$WHO"; grep -c : /proc/net/dev'
expect_out "include NAME and \${VAR}" from-profile "me x" 1
run_cmd env SBX_T_WHO=me "$SBX" --profile my --hostname cli --net slirp --setenv B 2 -- \
	sh -c 'hostname; echo "$WHO $B"; grep -c : /proc/net/dev'
if [ "$RC" = 0 ] && [ "$(printf '%s\n' "$OUT" | head -2)" = "cli
me x 2" ] && [ "$(printf '%s\n' "$OUT" | tail -1)" -ge 2 ]; then
	pass "options after the profile replace single values (hostname, net) and add to lists"
else
	fail "options after the profile replace single values (hostname, net) and add to lists"
fi
run_cmd env SBX_T_WHO=me "$SBX" --hostname before --profile my hostname
expect_out "a profile after an option replaces that option's value" from-profile

run_sbx --profile my -- true
expect_error "an unset \${VAR}: file and line, 125" 125 \
	"^sbx: $XDG_CONFIG_HOME/sbx/my.conf:4: \\\$\\{SBX_T_WHO\\}: not set in the environment$"
printf 'net none\n\nbind\n' >"$D/bad.conf"
run_sbx --profile "$D/bad.conf" -- true
expect_error "a bad line: file and line, 125" 125 "^sbx: $D/bad.conf:3: 'bind' takes 1 argument"
printf 'include ./loop2.conf\n' >"$D/loop1.conf"
printf 'include ./loop1.conf\n' >"$D/loop2.conf"
run_sbx --profile "$D/loop1.conf" -- true
expect_error "an include cycle: 125, one line" 125 "^sbx: $D/loop2.conf:1: include ./loop1.conf: .* includes itself"
run_sbx --profile nosuch -- true
expect_error "an unknown profile: 125, the places looked in" 125 \
	"^sbx: --profile nosuch: no nosuch.conf in $XDG_CONFIG_HOME/sbx, /etc/sbx or "
printf 'ls -l\n' >"$D/cmd.conf"
run_sbx --profile "$D/cmd.conf" -- true
expect_error "a profile cannot name a command" 125 "^sbx: $D/cmd.conf:1: unknown option 'ls'"

# --- --print-config --------------------------------------------------------------

run_sbx --profile dev --print-config
printed=$OUT
expect_match "--print-config prints the resolved options" "^bind $HOME/proj\$" "$printed"
expect_match "... with ~ expanded" "^home $HOME/.local/share/sbx/homes/dev\$" "$printed"
expect_eq "... and exits 0 with nothing on stderr" "0:" "$RC:$ERR"
printf '%s\n' "$printed" >"$D/printed.conf"
run_sbx --profile "$D/printed.conf" --print-config
expect_eq "round trip: the printed profile prints the same options" \
	"$(printf '%s\n' "$printed" | no_comments)" "$(printf '%s\n' "$OUT" | no_comments)"
mkdir "$D/elsewhere" && cd "$D/elsewhere" || exit 1
run_sbx --profile "$D/printed.conf" -- sh -c 'cat ~/.sh_history; ls ~/proj/made-in-dev'
expect_out "the printed profile works from another directory" "echo hello" "$HOME/proj/made-in-dev"
run_sbx --profile build --net slirp -p 127.0.0.1:18080:80 --print-config
expect_eq "--print-config: the command line's net replaces the profile's" \
	"bind $D/elsewhere
net slirp
publish 127.0.0.1:18080:80" "$(printf '%s\n' "$OUT" | no_comments)"
run_sbx --home "$D/not-yet" --print-config
[ "$RC" = 0 ] && [ ! -e "$D/not-yet" ] && pass "--print-config runs nothing (creates no --home)" ||
	fail "--print-config runs nothing (creates no --home)"
run_sbx --print-config -- true
expect_error "--print-config with a command is refused" 125 "not a command"
cd "$HOME/proj" || exit 1

# --- --home ----------------------------------------------------------------------

run_sbx --home "$D/h1/a" -- sh -c 'echo $HOME; ls -A ~; echo kept >~/.keep'
expect_out "--home: created, empty, at \$HOME (parents too)" "$HOME"
expect_eq "--home: 0700" 700 "$(stat -c %a "$D/h1/a")"
run_sbx --home "$D/h1/a" -- sh -c 'cat ~/.keep'
expect_out "--home: a file written there is there the next time" kept
touch "$D/afile"
run_sbx --home "$D/afile" -- true
expect_error "--home FILE: refused" 125 "^sbx: --home $D/afile: Not a directory$"
if [ "$(id -u)" = 0 ]; then
	mkdir "$D/theirs" && chown 65534:65534 "$D/theirs"
	other=$D/theirs
else
	other=/usr/share
fi
mkdir -m 0777 "$D/open"
run_sbx --home "$D/open/h" -- true
expect_error "--home under a directory others can write: refused, nothing created" 125 \
	"^sbx: --home $D/open/h: $D/open is writable by others$"
[ ! -e "$D/open/h" ] && pass "... nothing created" || fail "... nothing created"
printf 'net none\n' >"$D/open/p.conf"
run_sbx --profile "$D/open/p.conf" -- true
expect_error "a profile in a directory others can write: refused" 125 \
	"^sbx: profile $D/open/p.conf: $D/open is writable by others$"
run_sbx --home "$other" -- true
expect_error "--home: someone else's directory is refused" 125 "^sbx: --home $other: owned by uid [0-9]+, not by you$"

done_testing
