#!/usr/bin/env bash
# Makes the base image the Dockerfile builds from, node:20-bookworm-slim, when the engine lacks it and
# no registry can be pulled from: a Debian bookworm root made with `debootstrap --variant=minbase`
# from Debian's packages, this machine's Node 20 copied in as the official image lays it out
# (/usr/local/bin/node, npm and npx; /usr/local/lib/node_modules/npm; /usr/local/include/node), the
# `node` user and group (uid/gid 1000), then `docker import`.
#
# Idempotent and cached: an image already present is kept; the root file system is kept as a tarball
# in $CRONFLEET_DOCKER_CACHE (default /var/cache/cronfleet-docker), named after the Node version, so a
# later run (or an engine whose images were wiped) only imports it again.
#
# Usage (as root): bash scripts/docker-base-image.sh [IMAGE]   (default node:20-bookworm-slim)
set -euo pipefail

IMAGE=${1:-node:20-bookworm-slim}
CACHE=${CRONFLEET_DOCKER_CACHE:-/var/cache/cronfleet-docker}

say() { echo "docker-base-image: $*"; }
die() { echo "docker-base-image: error: $*" >&2; exit 1; }

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  say "image $IMAGE present"
  exit 0
fi

node_bin=$(readlink -f "$(command -v node || true)")
[[ -x $node_bin ]] || die "no node on this machine to copy into the image"
version=$("$node_bin" --version)
[[ $version == v20.* ]] || die "this machine's node is $version; the image is node:20"
prefix=$(dirname "$(dirname "$node_bin")")
[[ -d $prefix/lib/node_modules/npm ]] || die "npm not found at $prefix/lib/node_modules/npm"
[[ -f $prefix/include/node/node_api.h ]] || die "Node's headers not found at $prefix/include/node"

mkdir -p "$CACHE"
tarball="$CACHE/node-$version-bookworm-slim-rootfs.tar"
if [[ -s $tarball ]]; then
  say "using the cached root file system $tarball"
else
  [[ $(id -u) -eq 0 ]] || die "debootstrap needs root"
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; } \
      || die "cannot install debootstrap"
  fi
  # The mirror this machine's apt uses (deb822 or one-line sources), else Debian's default.
  mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
  [[ -n $mirror ]] || mirror=$(sed -n 's/^deb \+\(http[^ ]*\/debian\) .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
  mirror=${mirror:-http://deb.debian.org/debian}
  root=$(mktemp -d /var/tmp/cronfleet-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  say "debootstrap --variant=minbase bookworm from $mirror (log: $CACHE/debootstrap.log)"
  started=$SECONDS
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -n 20 "$CACHE/debootstrap.log" >&2; die "debootstrap failed"; }
  # As Debian's -slim images are: no docs, man pages or translations, now or from later installs,
  # and apt keeps no package lists or archives in the image.
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  printf 'APT::Install-Recommends "false";\n' >"$root/etc/apt/apt.conf.d/docker-no-recommends"
  find "$root/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete 2>/dev/null || true
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
    "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin \
    "$root"/var/log/* "$root"/tmp/*
  # The apt sources the image's own `apt-get update` uses: the same mirror, with security updates.
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s-security bookworm-security main\n' \
    "$mirror" "$mirror" "$mirror" >"$root/etc/apt/sources.list"
  # Node as the official image lays it out.
  install -d "$root/usr/local/bin" "$root/usr/local/lib/node_modules" "$root/usr/local/include"
  install -m 0755 "$node_bin" "$root/usr/local/bin/node"
  cp -a "$prefix/lib/node_modules/npm" "$root/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  if [[ -d $prefix/lib/node_modules/corepack ]]; then
    cp -a "$prefix/lib/node_modules/corepack" "$root/usr/local/lib/node_modules/corepack"
    ln -s ../lib/node_modules/corepack/dist/corepack.js "$root/usr/local/bin/corepack"
  fi
  cp -a "$prefix/include/node" "$root/usr/local/include/node"
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  chroot "$root" /usr/local/bin/node --version >/dev/null || die "node does not run in the new root"
  tar --numeric-owner -C "$root" -cf "$tarball.part" .
  mv "$tarball.part" "$tarball"
  rm -rf "$root"
  trap - EXIT
  say "root file system made in $((SECONDS - started)) s: $tarball ($(du -m "$tarball" | cut -f1) MB)"
fi

docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${version#v}" \
  --change 'CMD ["node"]' \
  --message "debootstrap bookworm minbase + node $version (scripts/docker-base-image.sh)" \
  "$tarball" "$IMAGE" >/dev/null || die "docker import of $IMAGE failed"
say "image $IMAGE imported ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1/1e6}'))"
