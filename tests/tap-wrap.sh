#!/bin/sh
# Run one TAP test for automake's TAP driver. A test that cannot run here
# prints "1..0 # SKIP why" and exits 77; the driver would call 77 an error,
# so it becomes 0 after the skip plan has been printed.
"$@"
status=$?
[ "$status" -eq 77 ] && exit 0
exit "$status"
