#!/usr/bin/env bash
# overlay.sh - --overlay-src with --tmp-overlay, --overlay and --ro-overlay:
# layer order, writes that vanish, writes kept in RWDIR, read-only unions.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

L1=$WORK/l1 L2=$WORK/l2 UP=$WORK/up WK=$WORK/wk
mkdir -p "$L1" "$L2" "$UP" "$WK"
echo l1 >"$L1/a"
echo l1 >"$L1/b"
echo l2 >"$L2/b"

# --- layer order: the last --overlay-src is on top (bwrap's order) ----------
run_sbx --overlay-src "$L1" --overlay-src "$L2" --ro-overlay /o -- sh -c 'cat /o/a /o/b'
expect_run "--ro-overlay: union of the layers, the last --overlay-src on top" 0 \
	"$(printf 'l1\nl2')"
run_sbx --overlay-src "$L1" --overlay-src "$L2" --ro-overlay /o -- sh -c 'touch /o/new 2>&1'
expect_match "--ro-overlay is read-only" 'Read-only file system' "$OUT"

# --- --tmp-overlay: writable, changes vanish --------------------------------
run_sbx --overlay-src "$L1" --overlay-src "$L2" --tmp-overlay /o -- sh -c \
	'echo changed > /o/a; echo new > /o/c; rm /o/b; cat /o/a /o/c; ls /o; ls -a / | grep -c sbx-overlay; true'
expect_run "--tmp-overlay is writable (and leaves no staging directory)" 0 \
	"$(printf 'changed\nnew\na\nc\n0')"
if [ "$(cat "$L1/a")" = l1 ] && [ "$(cat "$L2/b")" = l2 ] && [ ! -e "$L1/c" ] && [ ! -e "$L2/c" ] &&
	[ "$(ls "$L1" | tr '\n' ' ')" = "a b " ]; then
	pass "--tmp-overlay: the layers are unchanged afterwards"
else
	fail "--tmp-overlay: the layers are unchanged afterwards"
fi
run_sbx --overlay-src "$L1" --tmp-overlay /o -- cat /o/a
expect_run "--tmp-overlay: the next sandbox sees none of it" 0 l1

# Its root takes the topmost layer's mode.
chmod 0750 "$L2"
run_sbx --overlay-src "$L1" --overlay-src "$L2" --tmp-overlay /o -- stat -c %a /o
expect_run "--tmp-overlay: the merged root has the top layer's mode" 0 750
chmod 0755 "$L2"

# A throwaway /usr: as the sandbox's root, create files in it.
run_sbx --root --overlay-src /usr --tmp-overlay /usr -- sh -c 'touch /usr/sbx-overlay-test && ls /usr/sbx-overlay-test && ls /usr/bin/sh'
expect_run "--tmp-overlay /usr: writable throwaway /usr" 0 \
	"$(printf '/usr/sbx-overlay-test\n/usr/bin/sh')"
[ ! -e /usr/sbx-overlay-test ]
ok $? "--tmp-overlay /usr: nothing reached the host's /usr"

# --- --overlay RWDIR WORKDIR DEST: changes kept in RWDIR ----------------------
run_sbx --overlay-src "$L1" --overlay "$UP" "$WK" /o -- sh -c 'echo kept > /o/c; echo mod > /o/a; rm /o/b'
expect_status "--overlay: writes succeed" 0
if [ "$(cat "$UP/c")" = kept ] && [ "$(cat "$UP/a")" = mod ] && [ "$(cat "$L1/a")" = l1 ] &&
	[ -e "$L1/b" ]; then
	pass "--overlay: changes land in RWDIR, the layer is untouched"
else
	fail "--overlay: changes land in RWDIR, the layer is untouched" "RWDIR: $(ls -la "$UP")"
fi
run_sbx --overlay-src "$L1" --overlay "$UP" "$WK" /o -- sh -c 'cat /o/a /o/c; ls /o'
expect_run "--overlay: the next sandbox sees them (the deletion too)" 0 \
	"$(printf 'mod\nkept\na\nc')"

# --- errors -----------------------------------------------------------------------
run_sbx --overlay-src "$L1" --ro-overlay /o -- true
expect_error "--ro-overlay needs two layers" 125 'needs at least two --overlay-src'
run_sbx --tmp-overlay /o -- true
expect_error "--tmp-overlay needs a layer" 125 'needs at least one --overlay-src'
run_sbx --overlay-src "$L1" --tmpfs /o -- true
expect_error "--overlay-src must be followed by an overlay" 125 '^sbx: --overlay-src must be followed by'
run_sbx --overlay-src "$WORK/nonexistent" --tmp-overlay /o -- true
expect_error "a missing layer is named" 125 "^sbx: --overlay-src: $WORK/nonexistent: No such file"
run_sbx --overlay-src "$L1" --overlay "$UP" "$UP" /o -- true
expect_error "--overlay with WORKDIR = RWDIR: one line with the kernel's reason" 125 \
	'^sbx: --overlay /o: .*(workdir|WORKDIR)'

done_testing
