#!/bin/sh
# npm in an image build: `sh docker/npm.sh ci [ARGS]` or `sh docker/npm.sh prune [ARGS]`.
# When the registry is reached through a TLS-inspecting proxy, the build gets the proxy's CA as the
# BuildKit secret npm_ca (docker buildx build --secret id=npm_ca,src=ca.pem): mounted at
# /run/secrets/npm_ca for the step only, never written into a layer. It goes to node by path
# (NODE_EXTRA_CA_CERTS), not inline: install scripts inherit the environment.
# Any failure fails the build step, and so does an install that left packages missing (`npm ls`),
# rather than the build failing later at `tsc: not found`.
set -eu
if [ -s /run/secrets/npm_ca ]; then
  export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca
fi
command=$1
shift
npm "$command" --no-audit --no-fund "$@" || { echo "docker/npm.sh: npm $command failed (exit $?)" >&2; exit 1; }
npm ls --all "$@" >/dev/null || { echo "docker/npm.sh: npm $command left dependencies missing (npm ls above)" >&2; exit 1; }
rm -rf /root/.npm /tmp/*
