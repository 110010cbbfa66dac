#!/usr/bin/env bash
# --audio with a real PulseAudio daemon of the test's own (null sink, its
# runtime and config directories in $WORK, no system configuration read or
# written): pactl info and paplay of a generated WAV succeed inside with
# --audio and fail without.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
. "$TESTS_SRCDIR/integration/desktop-lib.sh"
require_userns
need_tools pulseaudio pactl paplay

export HOME=$WORK/home XDG_RUNTIME_DIR=$WORK/rt XDG_CONFIG_HOME=$WORK/home/.config
mkdir -p -m 0700 "$HOME" "$XDG_RUNTIME_DIR"
# No client may start a daemon of its own (inside the sandbox, say).
printf 'autospawn = no\n' >"$WORK/client.conf"
export PULSE_CLIENTCONFIG=$WORK/client.conf
pulseaudio -n --daemonize=no --exit-idle-time=-1 --use-pid-file=no --disable-shm=yes \
	--system=no -L module-native-protocol-unix -L "module-null-sink sink_name=sbxtest" \
	>"$WORK/pulse.log" 2>&1 </dev/null &
track_pid $!
if ! wait_until 60 pactl info >/dev/null 2>&1; then
	fail "pulseaudio started" "$(cat "$WORK/pulse.log")"
	done_testing
fi
$PY3 -c 'import wave, struct, sys
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", (i * 64) % 4000 - 2000) for i in range(4000))); w.close()' \
	"$WORK/tone.wav"
files=(--ro-bind "$WORK/client.conf" --ro-bind "$WORK/tone.wav")

run_sbx --audio "${files[@]}" pactl info
[ "$RC" = 0 ] && printf '%s\n' "$OUT" | grep -q '^Default Sink: sbxtest$'
ok $? "--audio: pactl info reaches the daemon (its null sink is the default)"
run_sbx --audio "${files[@]}" paplay "$WORK/tone.wav"
expect_status "--audio: paplay of a WAV succeeds" 0
run_sbx --audio sh -c 'echo "$PULSE_SERVER"; ls -A "$XDG_RUNTIME_DIR/pulse"'
expect_out "PULSE_SERVER names the bound socket; the cookie is beside it" \
	"unix:/run/user/$(id -u)/pulse/native" cookie native

run_sbx "${files[@]}" pactl info
[ "$RC" -ne 0 ]
ok $? "without --audio pactl info fails"
run_sbx "${files[@]}" paplay "$WORK/tone.wav"
[ "$RC" -ne 0 ]
ok $? "without --audio paplay fails"

mkfifo "$WORK/cookie-fifo"
PULSE_COOKIE=$WORK/cookie-fifo run_sbx --audio true
expect_status "a FIFO as PULSE_COOKIE is passed over, not waited on" 0

env -u PULSE_SERVER XDG_RUNTIME_DIR="$WORK/home" "$SBX" --audio true >/dev/null 2>"$WORK/err"
RC=$? ERR=$(cat "$WORK/err") OUT=
expect_error "no sound server: --audio says so in one line" 125 '^sbx: --audio: no PulseAudio socket'

done_testing
