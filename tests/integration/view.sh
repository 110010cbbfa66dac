#!/usr/bin/env bash
# view.sh - the file system the command sees: the default view (/usr, /etc,
# /opt, links, /proc, /dev, tmpfs dirs, empty home), --bind, --ro-bind,
# --tmpfs, path resolution and the start directory.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

PY=
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# mount_opts PATH: the per-mount options of the topmost mount at PATH, from
# the last run's stdout (a copy of /proc/self/mountinfo).
mount_opts() {
	printf '%s\n' "$OUT" | awk -v p="$1" '$5 == p { o = $6 } END { print o }'
}
mount_fstype() {
	printf '%s\n' "$OUT" | awk -v p="$1" '$5 == p { for (i = 7; $i != "-"; i++); t = $(i + 1) } END { print t }'
}

# --- the root and the host's system directories --------------------------------

run_sbx touch /newfile
expect_error "/ is read-only" 1 'Read-only file system'

for d in /usr /etc /opt; do
	if [ ! -d "$d" ]; then
		skip "$d is the host's, read-only" "the host has no $d"
		continue
	fi
	run_sbx sh -c "stat -c %i '$d'; touch '$d/sbx-test-write' 2>&1; echo status=\$?"
	want="$(stat -c %i "$d")"
	if [ "$RC" = 0 ] && [ "$(printf '%s\n' "$OUT" | sed -n 1p)" = "$want" ] &&
		printf '%s\n' "$OUT" | grep -q 'Read-only file system' &&
		printf '%s\n' "$OUT" | grep -qx 'status=1' && [ ! -e "$d/sbx-test-write" ]; then
		pass "$d is the host's (same inode), read-only"
	else
		fail "$d is the host's (same inode), read-only" "expected inode $want and a Read-only file system error"
	fi
done

run_sbx cat /etc/passwd
expect_run "/etc/passwd reads as on the host" 0 "$(cat /etc/passwd)"

run_sbx cat /proc/self/mountinfo
bad=$(printf '%s\n' "$OUT" | awk '$5 ~ /^\/(usr|etc|opt)(\/|$)/ && $6 !~ /(^|,)ro(,|$)/ { print $5, $6 }')
n=$(printf '%s\n' "$OUT" | awk '$5 ~ /^\/(usr|etc|opt)(\/|$)/' | grep -c '')
if [ "$RC" = 0 ] && [ "$n" -ge 1 ] && [ -z "$bad" ]; then
	pass "every mount at or below /usr, /etc, /opt is read-only ($n mounts)"
else
	fail "every mount at or below /usr, /etc, /opt is read-only" "read-write: ${bad:-none}; mounts seen: $n"
fi
bad=$(printf '%s\n' "$OUT" | awk '$5 ~ /^\/(usr|etc|opt)(\/|$)/ && ($6 !~ /nosuid/ || $6 !~ /nodev/) { print $5, $6 }')
expect_eq "the system directories are nosuid and nodev" "" "$bad"

for l in /bin /sbin /lib /lib32 /lib64 /libx32; do
	if [ -L "$l" ]; then
		want="link $(readlink "$l")"
	elif [ -d "$l" ]; then
		want="dir"
	else
		want="absent"
	fi
	run_sbx sh -c "if [ -L '$l' ]; then echo link \$(readlink '$l'); elif [ -d '$l' ]; then echo dir; elif [ -e '$l' ]; then echo other; else echo absent; fi"
	expect_run "$l is as on the host ($want)" 0 "$want"
done

# Exactly the documented top-level names, nothing else of the host.
want=$( {
	printf '%s\n' dev proc run tmp var
	for d in usr etc opt bin sbin lib lib32 lib64 libx32; do
		[ -e "/$d" ] || [ -L "/$d" ] && echo "$d"
	done
	[ "$HOME" != / ] && h=${HOME#/} && echo "${h%%/*}"
} | sort -u)
run_sbx -- ls -A /
expect_run "/ holds only the default view ($(echo $want))" 0 "$want"

run_sbx -- ls -A /var
expect_run "/var holds only tmp" 0 "tmp"

# --- /proc and /dev ------------------------------------------------------------

run_sbx cat /proc/self/mountinfo
expect_eq "/proc is a proc file system" "proc" "$(mount_fstype /proc)"
expect_eq "/dev is a tmpfs" "tmpfs" "$(mount_fstype /dev)"
expect_eq "/dev/pts is a devpts" "devpts" "$(mount_fstype /dev/pts)"

# (test -c/-b, which stat: the nodes are bind mounts over plain files, and a
# readdir type would call them regular files)
run_sbx sh -c 'for f in /dev/* /dev/pts/* /dev/shm/*; do if [ ! -L "$f" ] && { [ -c "$f" ] || [ -b "$f" ]; }; then echo "$f"; fi; done | sort'
expect_run "the only device nodes are null zero full random urandom tty and pts/ptmx" 0 "/dev/full
/dev/null
/dev/pts/ptmx
/dev/random
/dev/tty
/dev/urandom
/dev/zero"

run_sbx sh -c 'for f in null zero full random urandom tty pts ptmx shm fd stdin stdout stderr; do [ -e /dev/$f ] || [ -L /dev/$f ] || echo "missing $f"; done; readlink /dev/ptmx /dev/fd /dev/stdin /dev/stdout /dev/stderr'
expect_run "/dev has all the documented entries and links" 0 "pts/ptmx
/proc/self/fd
/proc/self/fd/0
/proc/self/fd/1
/proc/self/fd/2"

run_sbx sh -c 'echo x >/dev/null && head -c 4 /dev/zero | od -An -tx1 | tr -d " " && head -c 16 /dev/urandom | wc -c && head -c 16 /dev/random | wc -c && { head -c 1 /dev/zero >/dev/full; } 2>&1'
expect_match "the devices work (null, zero, urandom, random; full gives ENOSPC)" 'No space left on device' "$OUT"
[ "$(printf '%s\n' "$OUT" | head -n 3 | tr '\n' ' ')" = "00000000 16 16 " ]
ok $? "/dev/zero reads zeros, /dev/urandom and /dev/random give bytes"

shm_file=/dev/shm/sbx-test-$$
if [ -w /dev/shm ] && touch "$shm_file" 2>/dev/null; then
	at_exit "rm -f $shm_file"
	run_sbx sh -c 'ls -A /dev/shm; stat -c %a /dev/shm; touch /dev/shm/x && echo writable'
	expect_run "/dev/shm is private (host file absent), mode 1777, writable" 0 "1777
writable"
	rm -f "$shm_file"
else
	run_sbx sh -c 'stat -c %a /dev/shm; touch /dev/shm/x && echo writable'
	expect_run "/dev/shm is mode 1777 and writable" 0 "1777
writable"
fi

run_sbx -- ls -A /dev/pts
expect_run "/dev/pts is a new instance: only ptmx" 0 "ptmx"

if [ -n "$PY" ]; then
	run_sbx "$PY" -c 'import os; m, s = os.openpty(); print(os.ttyname(s))'
	expect_run "a pty can be opened inside (/dev/pts/0 of the new instance)" 0 "/dev/pts/0"
else
	skip "a pty can be opened inside" "no /usr/bin/python3"
fi

# --- private tmpfs: /tmp /var/tmp /run and $HOME -----------------------------

make_temp_dir
D=$TMPD
echo host >"$D/hostfile"
run_sbx sh -c 'for d in /tmp /var/tmp /run; do echo "$d $(ls -A $d | wc -l) $(stat -c %a $d)"; touch $d/inside-$$ || echo "$d not writable"; done; echo $$'
want="/tmp 0 1777
/var/tmp 0 1777
/run 0 755"
got=$(printf '%s\n' "$OUT" | head -n 3)
if [ "$RC" = 0 ] && [ "$got" = "$want" ] && [ "$(printf '%s\n' "$OUT" | grep -c '')" = 4 ]; then
	pass "/tmp, /var/tmp (1777) and /run (755) start empty and are writable"
else
	fail "/tmp, /var/tmp (1777) and /run (755) start empty and are writable" "expected first lines: $want"
fi
# What was written there is not on the host.
[ ! -e /tmp/inside-2 ] && [ ! -e /var/tmp/inside-2 ] && [ ! -e /run/inside-2 ]
ok $? "files written in the sandbox's /tmp, /var/tmp, /run do not reach the host"
run_sbx cat /proc/self/mountinfo
expect_eq "/tmp /var/tmp /run are tmpfs mounts" "tmpfs tmpfs tmpfs" \
	"$(mount_fstype /tmp) $(mount_fstype /var/tmp) $(mount_fstype /run)"

# They are directories of the root tmpfs, each bound onto itself (one
# superblock, not six: start-up time); the root's mount is read-only, so
# nothing else of it may become writable through them: not through "..",
# an fd's "..", a cwd below them, nor /proc/self/root.
bad=$(printf '%s\n' "$OUT" | awk '$5 ~ /^\/(dev|tmp|var\/tmp|run)$/ && $6 !~ /^rw,/ { print $5 }')
expect_eq "/dev /tmp /var/tmp /run are read-write mounts of their own" "" "$bad"
expect_eq "... four of them" 4 "$(printf '%s\n' "$OUT" | awk '$5 ~ /^\/(dev|tmp|var\/tmp|run)$/' | grep -c '')"
expect_match "... while / is read-only" '^ro,' "$(mount_opts /)"
probe='for p in /x /var/x /tmp/../x /var/tmp/../../x /run/../x /dev/../x /dev/shm/../../x "$HOME/../x" /proc/self/root/x /proc/self/root/var/x; do touch "$p" 2>/dev/null && echo "wrote $p"; mkdir "$p.d" 2>/dev/null && echo "made $p.d"; done
mkdir /tmp/sub && cd /tmp/sub && { touch ../../x 2>/dev/null && echo "wrote via cwd"; }
echo done'
run_sbx sh -c "$probe"
expect_run "the read-only root cannot be written through /tmp, /var/tmp, /run, /dev, \$HOME" 0 done
if [ -n "$PY" ]; then
	run_sbx "$PY" -c '
import os
for d in ["/tmp", "/var/tmp", "/run", "/dev", os.environ["HOME"]]:
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    for f in (lambda: os.close(os.open("../x", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd)),
              lambda: os.mkdir("../d", dir_fd=fd)):
        try:
            f(); print("wrote through", d)
        except OSError:
            pass
open("/tmp/f", "w").close()
for a, b in (("/tmp/f", "/f"), ("/tmp/f", "/var/f"), ("/tmp/f", "/run/f")):
    try:
        os.rename(a, b); print("renamed to", b)
    except OSError:
        pass
print("done")'
	expect_run "... nor openat(fd of the directory, \"..\"), nor a rename out of them" 0 done
else
	skip "... nor openat(fd of the directory, \"..\")" "no /usr/bin/python3"
fi

if [ "$HOME" != / ]; then
	run_sbx sh -c 'ls -A "$HOME" | wc -l; stat -c "%a %u" "$HOME"; id -u; touch "$HOME/x" && echo writable'
	expect_run "\$HOME ($HOME) is empty, mode 700, owned by the command, writable" 0 "0
700 $MY_UID
$MY_UID
writable"
	run_sbx --root sh -c 'stat -c "%a %u" "$HOME"'
	expect_run "\$HOME is owned by the command's user (--root: 0)" 0 "700 0"
else
	skip "\$HOME is empty, mode 700, owned by the command, writable" "HOME is /"
	skip "\$HOME is owned by the command's user" "HOME is /"
fi

# The caller's real ~/.ssh: put a key-like file there (removed at exit, with
# ~/.ssh itself if this test made it) and look for it inside.
if [ "$HOME" != / ] && [ -d "$HOME" ] && [ -w "$HOME" ]; then
	key=$HOME/.ssh/sbx-test-id.$$
	at_exit "rm -f '$key'"
	if [ ! -e "$HOME/.ssh" ]; then
		mkdir -m 700 "$HOME/.ssh" && at_exit "rmdir '$HOME/.ssh' 2>/dev/null"
	fi
	if (umask 077 && echo not-for-the-sandbox >"$key"); then
		run_sbx sh -c "ls -A \"\$HOME\"; cat '$key' 2>/dev/null || echo no-key"
		expect_run "the caller's real ~/.ssh (with $key) is not visible inside" 0 "no-key"
	else
		skip "the caller's real ~/.ssh is not visible inside" "cannot write $key"
	fi
	rm -f "$key"
else
	skip "the caller's real ~/.ssh is not visible inside" "no writable home"
fi

# Homes the default view makes in odd ways: a trailing slash, below /tmp
# (a bound directory of the root tmpfs), one the view has already (/var:
# a tmpfs of its own over it), and the caller's umask playing no part.
run_cmd env HOME=/nohome/a/ "$SBX" sh -c 'stat -c %a /nohome/a; touch /nohome/a/x && echo writable'
expect_run "HOME=/nohome/a/: mode 700, writable" 0 "700
writable"
run_cmd env HOME=/tmp/h "$SBX" sh -c 'stat -c %a /tmp/h /tmp; touch /tmp/h/x && echo writable'
expect_run "HOME=/tmp/h: mode 700 in a 1777 /tmp, writable" 0 "700
1777
writable"
run_cmd env HOME=/var "$SBX" sh -c 'stat -c %a /var; ls -A /var | wc -l; touch /var/x && echo writable'
expect_run "HOME=/var: an empty tmpfs over /var, mode 700, writable" 0 "700
0
writable"
run_cmd sh -c "umask 077 && HOME=/h1/h2 '$SBX' sh -c 'stat -c %a /h1/h2 /tmp /var/tmp /run /dev /dev/shm'"
expect_run "umask 077: the home, /tmp, /var/tmp, /run, /dev, /dev/shm keep their modes" 0 "700
1777
1777
755
755
1777"

# A home with secrets: none of it is visible.
H=$D/home
mkdir -p "$H/.ssh" && echo secret >"$H/.ssh/id_test" && chmod 700 "$H/.ssh" && echo rc >"$H/.bashrc"
run_cmd env HOME="$H" "$SBX" sh -c 'echo "$HOME"; ls -A "$HOME"; cat "$HOME/.ssh/id_test" 2>/dev/null || echo no-ssh-key'
expect_run "\$HOME/.ssh/id_test of the caller is not visible; the home is empty" 0 "$H
no-ssh-key"

# --- --bind, --ro-bind ---------------------------------------------------------

echo from-host >"$D/data"
run_sbx --bind "$D" sh -c "cat '$D/data' && echo from-sandbox >'$D/new'"
expect_run "--bind DIR: host files visible inside (read-write)" 0 "from-host"
expect_eq "--bind DIR: a file written inside is on the host" "from-sandbox" "$(cat "$D/new" 2>&1)"

run_sbx --bind "$D:/work/x" sh -c "cat /work/x/data && echo changed >/work/x/data"
expect_run "--bind SRC:DEST shows SRC at DEST" 0 "from-host"
expect_eq "--bind SRC:DEST: writes reach SRC" "changed" "$(cat "$D/data")"

run_sbx --bind "$D/data:/tmp/deep/er/file" cat /tmp/deep/er/file
expect_run "--bind of a file, with missing parents of DEST created" 0 "changed"

run_sbx --ro-bind "$D:/ro" sh -c 'cat /ro/data; echo x >>/ro/data; touch /ro/other'
if [ "$RC" != 0 ] && [ "$OUT" = changed ] && [ "$(printf '%s\n' "$ERR" | grep -c 'Read-only file system')" = 2 ] &&
	[ "$(cat "$D/data")" = changed ] && [ ! -e "$D/other" ]; then
	pass "--ro-bind: readable, but neither writable nor creatable"
else
	fail "--ro-bind: readable, but neither writable nor creatable"
fi

run_sbx --ro-bind "$D:/ro" cat /proc/self/mountinfo
case ",$(mount_opts /ro)," in
*,ro,*nosuid*nodev* | *,ro,*nodev*nosuid*) pass "--ro-bind is mounted ro,nosuid,nodev" ;;
*) fail "--ro-bind is mounted ro,nosuid,nodev" "options: $(mount_opts /ro)" ;;
esac
run_sbx --bind "$D:/rw" cat /proc/self/mountinfo
case ",$(mount_opts /rw)," in
*,rw,*nosuid*nodev* | *,rw,*nodev*nosuid*) pass "--bind is mounted rw,nosuid,nodev" ;;
*) fail "--bind is mounted rw,nosuid,nodev" "options: $(mount_opts /rw)" ;;
esac

# Sub-mounts: the host's /dev/shm is a tmpfs below /dev.
if mountpoint -q /dev/shm 2>/dev/null || awk '$5 == "/dev/shm"' /proc/self/mountinfo | grep -q .; then
	run_sbx --ro-bind /dev:/hostdev sh -c "touch /hostdev/shm/sbx-test-$$"
	if [ "$RC" != 0 ] && printf '%s\n' "$ERR" | grep -q 'Read-only file system' &&
		[ ! -e "/dev/shm/sbx-test-$$" ]; then
		pass "--ro-bind /dev:/hostdev: the sub-mount /hostdev/shm is read-only too"
	else
		fail "--ro-bind /dev:/hostdev: the sub-mount /hostdev/shm is read-only too" \
			"expected touch to fail with 'Read-only file system'"
	fi
	rm -f "/dev/shm/sbx-test-$$"
	if [ -w /dev/shm ]; then
		at_exit "rm -f /dev/shm/sbx-test-rw-$$"
		run_sbx --bind /dev:/hostdev sh -c "touch /hostdev/shm/sbx-test-rw-$$"
		[ "$RC" = 0 ] && [ -e "/dev/shm/sbx-test-rw-$$" ]
		ok $? "--bind /dev:/hostdev: the sub-mount /hostdev/shm comes along, writable"
		rm -f "/dev/shm/sbx-test-rw-$$"
	else
		skip "--bind /dev:/hostdev: the sub-mount comes along, writable" "host /dev/shm not writable"
	fi
else
	skip "--ro-bind: sub-mounts read-only" "host /dev/shm is not a mount"
	skip "--bind: sub-mounts come along" "host /dev/shm is not a mount"
fi

mkdir -p "$D/share"
echo mine >"$D/share/marker"
run_sbx --ro-bind "$D/share:/usr/share" ls /usr/share
expect_run "binding onto an existing directory in the read-only /usr works" 0 "marker"

# --- --tmpfs -------------------------------------------------------------------

run_sbx --tmpfs /scratch sh -c 'ls -A /scratch | wc -l; stat -c "%a %u" /scratch; touch /scratch/f && echo writable; grep " /scratch " /proc/self/mountinfo | sed "s/.* - \([^ ]*\) .*/\1/"'
expect_run "--tmpfs DEST: empty, mode 755, the command's, writable, a tmpfs" 0 "0
755 $MY_UID
writable
tmpfs"

mkdir -p "$D/proj/build"
echo obj >"$D/proj/build/out.o"
echo src >"$D/proj/main.c"
run_sbx --bind "$D/proj" --tmpfs "$D/proj/build" sh -c "ls -A '$D/proj/build' | wc -l; cat '$D/proj/main.c'"
expect_run "a later --tmpfs covers part of an earlier --bind" 0 "0
src"
expect_eq "... and the host's directory under it is untouched" "obj" "$(cat "$D/proj/build/out.o")"

if [ -d /opt ] && [ -n "$(ls -A /opt)" ]; then
	run_sbx --tmpfs /opt ls -A /opt
	expect_run "--tmpfs /opt covers the default view's /opt" 0 ""
else
	run_sbx --tmpfs /usr/local ls -A /usr/local
	expect_run "--tmpfs /usr/local covers part of the default view" 0 ""
fi

# --- path resolution: ~, relative, .., symlinks in DEST -------------------------

mkdir -p "$H/proj"
echo in-home >"$H/proj/f"
# shellcheck disable=SC2088 # sbx itself expands this ~
run_cmd env HOME="$H" "$SBX" --ro-bind '~/proj' cat "$H/proj/f"
expect_run "--ro-bind ~/proj: ~ is the caller's \$HOME, DEST defaults to it" 0 "in-home"
run_cmd env HOME="$H" "$SBX" --bind='~/proj:~/p2' cat "$H/p2/f"
expect_run "--bind=~/proj:~/p2: ~ works in SRC and DEST of the = form" 0 "in-home"

run_cmd sh -c "cd '$D' && exec \"\$SBX\" --ro-bind proj:/p cat /p/main.c"
expect_run "a relative SRC is resolved against the caller's directory" 0 "src"
run_cmd sh -c "cd '$D/proj' && exec \"\$SBX\" --ro-bind . cat '$D/proj/main.c'"
expect_run "--ro-bind . binds the caller's directory at its own path" 0 "src"
run_cmd sh -c "cd '$D/proj' && exec \"\$SBX\" --ro-bind ../proj/./build/..:rel/../x cat '$D/proj/x/main.c'"
expect_run ". and .. are folded in SRC and DEST (DEST relative to the caller's directory)" 0 "src"

# A symbolic link in a bound directory cannot make a DEST lead out of the
# new root: the mount point is made inside the sandbox, not on the host.
make_temp_dir
OUTSIDE=$TMPD
mkdir -p "$D/trap"
ln -s "$OUTSIDE" "$D/trap/abs"
ln -s "../../../../../../../../$OUTSIDE" "$D/trap/rel"
# The first --tmpfs makes the links' target exist inside the sandbox too.
run_sbx --bind "$D/trap:/trap" --tmpfs "$OUTSIDE" --tmpfs /trap/abs/made-abs \
	--tmpfs /trap/rel/made-rel sh -c "grep -c ' $OUTSIDE/made-' /proc/self/mountinfo"
if [ "$RC" = 0 ] && [ "$OUT" = 2 ] && [ ! -e "$OUTSIDE/made-abs" ] && [ ! -e "$OUTSIDE/made-rel" ]; then
	pass "a symlink in a bound directory is followed inside the new root only"
else
	fail "a symlink in a bound directory is followed inside the new root only" \
		"expected status 0, 2 mounts under $OUTSIDE inside, and nothing new on the host" \
		"host $OUTSIDE has: $(ls -A "$OUTSIDE" | tr '\n' ' ')"
fi

# --- start directory -----------------------------------------------------------

run_cmd sh -c "cd '$D' && exec \"\$SBX\" --bind . pwd"
expect_run "the caller's directory is kept when it is visible inside (--bind .)" 0 "$D"
run_cmd sh -c "cd /usr/share && exec \"\$SBX\" pwd"
expect_run "the caller's directory is kept when it is visible inside (/usr/share)" 0 "/usr/share"
run_cmd sh -c "cd '$D' && exec \"\$SBX\" pwd"
if [ "$HOME" != / ]; then
	expect_run "a caller's directory that is not visible inside: start in \$HOME" 0 "$HOME"
else
	expect_run "a caller's directory that is not visible inside: start in /" 0 "/"
fi
run_cmd sh -c "cd '$D' && exec env HOME=/ \"\$SBX\" pwd"
expect_run "... and in / when HOME is /" 0 "/"
run_sbx --chdir /usr/bin pwd
expect_run "--chdir /usr/bin" 0 "/usr/bin"
run_cmd sh -c "cd '$D' && exec \"\$SBX\" --bind . --chdir proj/build pwd"
expect_run "--chdir with a relative path: against the caller's directory" 0 "$D/proj/build"

done_testing
