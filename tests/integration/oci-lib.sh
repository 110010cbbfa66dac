# oci-lib.sh - the set-up the sbx oci tests share, sourced after lib.sh: a
# static busybox (or a skip), a bundle of its applets, the state root, oci(),
# every container deleted at the end, and the user namespace a container
# needs: none as root (like `runc spec`), as a user a new one mapping the
# caller's own ids to root ($USERNS and $MAPS, for config.json).

# oci_setup APPLET... - $ROOT and the bundle $B: rootfs/bin/busybox with a
# link for each APPLET, rootfs/proc
oci_setup() {
	BUSYBOX=$(command -v busybox || true)
	if [ -z "$BUSYBOX" ] || ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked'; then
		[ "${SBX_MUST_WORK:-0}" = 1 ] && { fail "a static busybox is installed (busybox-static)"; done_testing; }
		echo "1..0 # SKIP no static busybox (apt-get install busybox-static)"
		exit 77
	fi
	ROOT=$WORK/state
	B=$WORK/bundle
	mkdir -p "$B/rootfs/bin" "$B/rootfs/proc" "$ROOT"
	cp "$BUSYBOX" "$B/rootfs/bin/busybox"
	for c in "$@"; do ln -s busybox "$B/rootfs/bin/$c"; done
	at_exit "for d in '$ROOT'/*/; do [ -d \"\$d\" ] && '$SBX' oci --root '$ROOT' delete --force \"\$(basename \"\$d\")\"; done 2>/dev/null"
	if [ "$(id -u)" = 0 ]; then
		USERNS=''
	else
		USERNS=', {"type": "user"}'
		MAPS=$(printf '"uidMappings": [{"containerID": 0, "hostID": %d, "size": 1}], "gidMappings": [{"containerID": 0, "hostID": %d, "size": 1}],' "$(id -u)" "$(id -g)")
	fi
}

oci() { run_cmd "$SBX" oci --root "$ROOT" "$@"; }
