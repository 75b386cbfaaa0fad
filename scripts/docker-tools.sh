#!/usr/bin/env bash
# Installs what scripts/docker-check.sh needs besides the engine (scripts/docker-engine.sh), all from
# Debian's packages, and only what is missing:
#   - docker-compose 1.29 (compose v1, `docker-compose`): bookworm's package;
#   - the buildx and compose v2 CLI plugins (`docker buildx`, `docker compose`): the binaries of trixie's
#     docker-buildx and docker-compose packages, unpacked into /usr/local/lib/docker/cli-plugins. They
#     are fetched with a private apt state (lists and archives in $CRONFLEET_DOCKER_CACHE/trixie-apt),
#     so the machine's own apt sources and lists are left as they are;
#   - systemd-analyze (bookworm's systemd), for the worker's unit file.
# Usage (as root): bash scripts/docker-tools.sh
set -euo pipefail

CACHE=${CRONFLEET_DOCKER_CACHE:-/var/cache/cronfleet-docker}
PLUGINS=/usr/local/lib/docker/cli-plugins

say() { echo "docker-tools: $*"; }
die() { echo "docker-tools: error: $*" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
apt_updated=
apt_install() {
  if [[ -z $apt_updated ]]; then
    timeout 600 apt-get update -qq || die "apt-get update failed"
    apt_updated=1
  fi
  timeout 900 apt-get install -y -qq --no-install-recommends "$@" >/dev/null || die "apt-get install $* failed"
}

need=()
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v systemd-analyze >/dev/null || need+=(systemd)
if ((${#need[@]})); then
  say "installing ${need[*]} with apt-get"
  apt_install "${need[@]}"
fi

# The plugins: trixie's packages hold them in /usr/libexec/docker/cli-plugins.
missing=()
[[ -x $PLUGINS/docker-buildx ]] || missing+=(docker-buildx)
[[ -x $PLUGINS/docker-compose ]] || missing+=(docker-compose)
if ((${#missing[@]})); then
  mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
  mirror=${mirror:-http://deb.debian.org/debian}
  state=$CACHE/trixie-apt
  mkdir -p "$state/lists/partial" "$state/archives/partial" "$state/debs"
  echo "deb $mirror trixie main" >"$state/sources.list"
  opts=(-o "Dir::Etc::SourceList=$state/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state" -o "Dir::Cache::Archives=$state/archives"
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o Debug::NoLocking=1 -o APT::Sandbox::User=root -qq)
  say "fetching trixie's ${missing[*]} (private apt state in $state)"
  timeout 600 apt-get "${opts[@]}" update || die "apt-get update (trixie lists) failed"
  (cd "$state/debs" && rm -f ./*.deb && timeout 600 apt-get "${opts[@]}" download "${missing[@]}") \
    || die "apt-get download ${missing[*]} failed"
  install -d "$PLUGINS"
  for pkg in "${missing[@]}"; do
    unpacked=$(mktemp -d)
    dpkg-deb -x "$state/debs/${pkg}"_*.deb "$unpacked"
    bin=$(find "$unpacked" -path '*/cli-plugins/*' -name "$pkg" -type f | head -n 1)
    [[ -n $bin ]] || die "no cli plugin $pkg in trixie's $pkg package"
    install -m 0755 "$bin" "$PLUGINS/$pkg"
    rm -rf "$unpacked"
  done
fi
say "compose v1: $(docker-compose version --short 2>/dev/null || echo missing)," \
  "compose v2: $(docker compose version --short 2>/dev/null || echo missing)," \
  "buildx: $(docker buildx version 2>/dev/null | awk '{print $2}' || echo missing)"
