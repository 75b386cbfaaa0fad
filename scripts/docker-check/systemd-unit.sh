#!/usr/bin/env bash
# Checks a worker's systemd unit (default docker/systemd/cronfleet-worker.service): `systemd-analyze
# verify` says nothing (it exits 0 on lines it ignores, so any output fails), SIGTERM goes to the worker
# alone (KillMode=mixed: the tasks are its to stop), and TimeoutStopSec leaves room for the worker's
# shutdown grace + stop grace + 4 s to record the stopped tasks. Then the same checks must refuse three
# broken copies (an unknown key, KillMode=control-group, a stop timeout shorter than the graces), or the check itself is wrong.
# Usage: bash scripts/docker-check/systemd-unit.sh [UNIT]
set -euo pipefail
unit=${1:-$(dirname "$0")/../../docker/systemd/cronfleet-worker.service}

check_unit() { # check_unit FILE: prints what is wrong, exit 1; or the figures, exit 0
  local file=$1 out dir
  dir=$(mktemp -d)
  cp "$file" "$dir/cronfleet-worker.service"
  out=$(cd "$dir" && systemd-analyze verify "$dir/cronfleet-worker.service" 2>&1) || { echo "verify: $out"; rm -rf "$dir"; return 1; }
  rm -rf "$dir"
  [[ -z $out ]] || { echo "verify: $out"; return 1; }
  local shutdown stop timeout killmode
  shutdown=$(sed -n 's/^Environment=CRONFLEET_SHUTDOWN_GRACE_SECONDS=\([0-9]*\)$/\1/p' "$file")
  stop=$(sed -n 's/^Environment=CRONFLEET_STOP_GRACE_SECONDS=\([0-9]*\)$/\1/p' "$file")
  timeout=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s\{0,1\}$/\1/p' "$file")
  killmode=$(sed -n 's/^KillMode=//p' "$file")
  [[ -n $shutdown && -n $stop && -n $timeout ]] || { echo "needs Environment=CRONFLEET_SHUTDOWN_GRACE_SECONDS=, Environment=CRONFLEET_STOP_GRACE_SECONDS= and TimeoutStopSec= in seconds"; return 1; }
  [[ $killmode == mixed ]] || { echo "KillMode=$killmode: SIGTERM must go to the worker alone (mixed)"; return 1; }
  ((timeout > shutdown + stop + 4)) || { echo "TimeoutStopSec=$timeout leaves no room for ${shutdown} + ${stop} + 4 s"; return 1; }
  echo "verified; TimeoutStopSec=$timeout > shutdown grace $shutdown + stop grace $stop + 4"
}

result=$(check_unit "$unit") || { echo "$result"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed 's/^RestartSec=/RestartSecs=/' "$unit" >"$tmp/bad-line.service"
sed 's/^KillMode=.*/KillMode=control-group/' "$unit" >"$tmp/kill-mode.service"
sed 's/^TimeoutStopSec=.*/TimeoutStopSec=30/' "$unit" >"$tmp/short-timeout.service"
for broken in bad-line kill-mode short-timeout; do
  if check_unit "$tmp/$broken.service" >/dev/null; then echo "the check accepted a broken unit ($broken)"; exit 1; fi
done
echo "$result; refuses a bad line, KillMode=control-group and a short stop timeout"
