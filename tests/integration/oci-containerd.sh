#!/usr/bin/env bash
# sbx as containerd's runtime binary: `ctr run --runc-binary sbx-oci` with an
# image imported from a tarball built here (a static busybox), `ctr task
# exec`, `kill`, `delete`. containerd is rootful: it runs as root only, with
# its own configuration, state and socket in the test's directory, and is
# ended by its pid.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP containerd runs as root (make check as root runs this)"
	exit 77
fi
missing=
for p in containerd ctr containerd-shim-runc-v2 busybox python3; do
	command -v $p >/dev/null || missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "${SBX_MUST_WORK:-0}" = 1 ] && { fail "containerd and its tools are installed (missing:$missing)"; done_testing; }
	echo "1..0 # SKIP missing:$missing"
	exit 77
fi

D=$WORK/ctd
R=$WORK/rootfs
mkdir -p "$D" "$R/bin" "$R/etc" "$R/tmp" "$R/proc" "$R/dev" "$R/sys" "$R/run"
cp "$(command -v busybox)" "$R/bin/busybox"
for c in sh cat echo sleep true tr; do ln -s busybox "$R/bin/$c"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
ln -s "$SBX" "$D/sbx-oci"

# An OCI image layout (one uncompressed layer) in a tarball, as `ctr images import` takes it.
python3 - "$R" "$D" <<'PY'
import hashlib, io, json, os, sys, tarfile
root, out = sys.argv[1], sys.argv[2]
os.makedirs(out + "/img/blobs/sha256")
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    for dp, dns, fns in os.walk(root):
        for n in sorted(dns + fns):
            p = os.path.join(dp, n)
            ti = t.gettarinfo(p, os.path.relpath(p, root))
            ti.uid = ti.gid = 0
            if ti.isfile():
                with open(p, "rb") as f:
                    t.addfile(ti, f)
            else:
                t.addfile(ti)
def blob(b):
    d = hashlib.sha256(b).hexdigest()
    open(out + "/img/blobs/sha256/" + d, "wb").write(b)
    return {"digest": "sha256:" + d, "size": len(b)}
layer = blob(buf.getvalue())
config = blob(json.dumps({"architecture": "amd64", "os": "linux",
    "config": {"Env": ["PATH=/bin"], "Cmd": ["/bin/sh"]},
    "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}}).encode())
manifest = blob(json.dumps({"schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
    "layers": [dict(layer, mediaType="application/vnd.oci.image.layer.v1.tar")]}).encode())
json.dump({"schemaVersion": 2, "manifests": [dict(manifest,
    mediaType="application/vnd.oci.image.manifest.v1+json",
    annotations={"org.opencontainers.image.ref.name": "docker.io/library/sbxtest:latest"},
    platform={"architecture": "amd64", "os": "linux"})]}, open(out + "/img/index.json", "w"))
open(out + "/img/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
with tarfile.open(out + "/image.tar", "w") as t:
    for n in ["oci-layout", "index.json", "blobs"]:
        t.add(out + "/img/" + n, n)
PY

cat >"$D/config.toml" <<EOF
version = 2
root = "$D/root"
state = "$D/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$D/c.sock"
[ttrpc]
  address = "$D/c.ttrpc.sock"
[debug]
  address = "$D/debug.sock"
EOF
containerd --config "$D/config.toml" >"$D/containerd.log" 2>&1 &
track_pid $!
at_exit "umount -R '$D/root' '$D/state' 2>/dev/null; true"
# ctr's dial retries until the socket is there (or the time-out).
ctr_() { run_cmd ctr --address "$D/c.sock" --connect-timeout 15s "$@"; }
RUNC=(--runc-binary "$D/sbx-oci" --runc-root "$D/sbx-root")

ctr_ images import "$D/image.tar"
expect_status "ctr images import of the local tarball" 0
ctr_ run --rm "${RUNC[@]}" docker.io/library/sbxtest:latest c1 /bin/sh -c 'echo hello-ctr; exit 5'
expect_run "ctr run --runc-binary sbx-oci: output and exit status" 5 hello-ctr
ctr_ run -d "${RUNC[@]}" docker.io/library/sbxtest:latest c2 /bin/sleep 1000
expect_status "ctr run -d" 0
ctr_ task exec --exec-id e1 c2 /bin/sh -c 'tr "\0" " " </proc/1/cmdline; exit 4'
expect_eq "ctr task exec: in the container, its status" "4 /bin/sleep 1000" "$RC $(echo $OUT)"
ctr_ task ls
expect_match "ctr task ls: running" 'c2 +[0-9]+ +RUNNING' "$OUT"
ctr_ task kill -s KILL c2
expect_status "ctr task kill" 0
# kill does not wait; --force waits for the end (sbx-oci delete --force)
ctr_ task delete --force c2
expect_status "ctr task delete" 0
ctr_ container delete c2
expect_status "ctr container delete" 0
[ -z "$(ls -A "$D/sbx-root/default" 2>/dev/null)" ]
ok $? "sbx's state is gone after delete"

done_testing
