#!/usr/bin/env bash
# bwrap-mat2.sh - mat2 (a real client of bwrap from Debian) cleaning a file,
# with sbx as the bwrap it finds on PATH.
#
# mat2 runs exiftool under bwrap (--dev, --proc, --unshare-*, --new-session,
# --cap-drop all, the input bound read-only, an empty directory bound where
# the output goes). Debian's mat2 0.13.3 has its --no-sandbox switch
# inverted (it turns the sandbox on), so the switch is picked by whether bwrap
# was called.
. "$(dirname "$0")/lib.sh"
require_userns

if ! command -v mat2 >/dev/null || ! command -v exiftool >/dev/null; then
	echo "1..0 # SKIP mat2 or exiftool is not installed"
	exit 77
fi

mkdir -p "$WORK/bin" "$WORK/files"
cat >"$WORK/bin/bwrap" <<WRAP
#!/bin/bash
echo "\$*" >>"$WORK/bwrap.log"
exec -a bwrap "$SBX" "\$@"
WRAP
chmod 755 "$WORK/bin/bwrap"
export PATH=$WORK/bin:$PATH

# A 4x4 PNG with an Author text chunk.
/usr/bin/python3 - "$WORK/files/photo.png" <<'PY'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
raw = b"".join(b"\0" + b"\xff\x00\x00" * 4 for _ in range(4))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" +
    chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)) +
    chunk(b"tEXt", b"Author\0Secret Person") + chunk(b"IDAT", zlib.compress(raw)) +
    chunk(b"IEND", b""))
PY
cd "$WORK/files" || exit 1

sandbox=
: >"$WORK/bwrap.log"
SBX_TIMEOUT=60 run_cmd mat2 --show photo.png
if [ ! -s "$WORK/bwrap.log" ]; then
	sandbox=--no-sandbox
	SBX_TIMEOUT=60 run_cmd mat2 $sandbox --show photo.png
fi
expect_match "mat2 --show: exiftool under sbx as bwrap finds the author" 'Author: Secret Person' "$OUT"
expect_match "... and bwrap was sbx" '--new-session --cap-drop all' "$(cat "$WORK/bwrap.log")"
: >"$WORK/bwrap.log"
SBX_TIMEOUT=60 run_cmd mat2 $sandbox --lightweight photo.png
expect_status "mat2 --lightweight: exiftool cleans the file under sbx as bwrap" 0
expect_match "... writing into the directory bound for its output" "--bind /[^ ]+ $WORK/files " \
	"$(cat "$WORK/bwrap.log")"
SBX_TIMEOUT=60 run_cmd mat2 $sandbox --show photo.cleaned.png
expect_match "the cleaned copy has no metadata left" 'No metadata found' "$OUT"
done_testing
