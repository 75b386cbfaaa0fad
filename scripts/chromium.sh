#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the dashboard's browser test (test/e2e/dashboard.e2e-spec.ts),
# which drives it with playwright-core (no browser download: playwright uses /usr/bin/chromium).
# Idempotent: does nothing when /usr/bin/chromium runs.
set -euo pipefail
if /usr/bin/chromium --version >/dev/null 2>&1; then
  /usr/bin/chromium --version
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
timeout 600 apt-get update -qq
timeout 900 apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version
