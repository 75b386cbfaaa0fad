#!/bin/sh
# Makes a Docker engine answer on this machine for the docker runner's tests, and builds their image.
# Idempotent: when `docker info` already answers it starts nothing, and an existing image is kept.
#
#   1. installs docker.io and busybox-static with apt-get when dockerd or busybox-static is missing;
#   2. starts dockerd in the background unless `docker info` answers, and waits up to 60 s for it.
#      Only as `dockerd --bridge=none --iptables=false --ip-masq=false`: the default bridge network
#      takes an address range this workplace forbids, so there is no bridge, no NAT and no iptables
#      rules, and containers run with network mode `none` (or `host`). Log: /var/log/dockerd-cronfleet.log;
#   3. builds cronfleet-test/busybox:1 with `docker import` from busybox-static (no registry needed).
#
# Exits non-zero with a message saying what is missing when the machine cannot run Docker (not root,
# no apt-get, dockerd does not come up). Usage: sh scripts/docker-engine.sh
set -eu

IMAGE=cronfleet-test/busybox:1
LOG=/var/log/dockerd-cronfleet.log
WAIT_SECONDS=60

say() { echo "docker-engine: $*"; }
die() { echo "docker-engine: error: $*" >&2; exit 1; }

engine_answers() { docker info >/dev/null 2>&1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# --- 1. packages ---------------------------------------------------------------------------------
need=""
command -v dockerd >/dev/null 2>&1 || engine_answers || need=" docker.io"
if ! { engine_answers && docker image inspect "$IMAGE" >/dev/null 2>&1; }; then
  dpkg -s busybox-static >/dev/null 2>&1 || need="$need busybox-static"
fi
if [ -n "${need# }" ]; then
  is_root || die "missing:${need}; run this script as root (it installs them with apt-get) or install them yourself"
  command -v apt-get >/dev/null 2>&1 || die "missing:${need}, and there is no apt-get here: install Docker and a static busybox yourself"
  say "installing${need} with apt-get"
  # Keep the package's init script from starting dockerd with its defaults (which would create the
  # forbidden bridge): policy-rc.d exit 101 means "do not start services"; only ours is removed.
  added_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    added_policy=yes
  fi
  trap '[ -z "$added_policy" ] || rm -f /usr/sbin/policy-rc.d' EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt_log=/var/log/docker-engine-apt.log
  apt-get update -qq >"$apt_log" 2>&1 || die "apt-get update failed; see $apt_log"
  # shellcheck disable=SC2086 # $need is a list of package names
  apt-get install -y -qq --no-install-recommends $need >>"$apt_log" 2>&1 || die "apt-get install${need} failed; see $apt_log"
  [ -z "$added_policy" ] || rm -f /usr/sbin/policy-rc.d
  added_policy=""
else
  say "packages present"
fi

# --- 2. engine -----------------------------------------------------------------------------------
if engine_answers; then
  say "engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
else
  case "${DOCKER_HOST:-unix:///var/run/docker.sock}" in
    unix:///var/run/docker.sock | unix:///run/docker.sock) ;;
    *) die "DOCKER_HOST=${DOCKER_HOST} does not answer; this script only starts the local engine (unset DOCKER_HOST to use it)" ;;
  esac
  if ! is_root; then
    if [ -S /var/run/docker.sock ] && [ ! -w /var/run/docker.sock ]; then
      die "no permission on /var/run/docker.sock: add $(id -un) to the docker group (and log in again), or run as root"
    fi
    die "the Docker engine does not answer and only root can start dockerd"
  fi
  command -v dockerd >/dev/null 2>&1 || die "dockerd not found after installing docker.io"
  if [ -f /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    pid=$(cat /var/run/docker.pid)
    say "dockerd (pid $pid) is running but not answering yet; waiting for it"
  else
    say "starting dockerd --bridge=none --iptables=false --ip-masq=false (log: $LOG)"
    # setsid + no inherited stdio: the daemon outlives this script and whoever ran it (a test runner
    # waiting for our output to close would otherwise wait for dockerd).
    setsid dockerd --bridge=none --iptables=false --ip-masq=false >>"$LOG" 2>&1 </dev/null &
    pid=$!
  fi
  waited=0
  until engine_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$LOG" >&2 2>/dev/null || true
      die "dockerd exited without answering; see $LOG"
    fi
    if [ "$waited" -ge "$WAIT_SECONDS" ]; then
      tail -n 20 "$LOG" >&2 2>/dev/null || true
      die "dockerd did not answer within ${WAIT_SECONDS} s; see $LOG"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  say "engine answers after ${waited} s ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
fi

# --- 3. test image -------------------------------------------------------------------------------
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  say "image $IMAGE present"
else
  busybox=$(dpkg -L busybox-static 2>/dev/null | grep -E '/busybox$' | head -n 1)
  [ -n "$busybox" ] && [ -x "$busybox" ] || die "busybox-static's binary not found"
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"
  chmod 1777 "$root/tmp"
  cp "$busybox" "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  # Names for `user` in the tests; numeric uid:gid work without these.
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/bin' \
    --change 'CMD ["/bin/sh"]' \
    --change 'LABEL org.opencontainers.image.description="Cronfleet docker runner test image (busybox-static)"' \
    - "$IMAGE" >/dev/null || die "docker import of $IMAGE failed"
  say "image $IMAGE built from $busybox"
fi
