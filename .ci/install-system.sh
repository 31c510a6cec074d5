#!/usr/bin/env bash
# System packages the tests drive: PHP SoapClient (php-cli, php-soap), node-soap, and Debian's chromium
# (the dashboard seen in a headless browser).
# Idempotent and quiet: installs only what is missing or stale. Runs as root; node and npm are on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

# Captured first: grep -q stopping early must not break php's pipe under pipefail.
php_modules=$(php -m 2>/dev/null || true)
if ! grep -qix soap <<<"$php_modules"; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cli php-soap >/dev/null
fi

if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# npm writes node_modules/.package-lock.json on install: missing or older than the lock means (re)install.
if [ tests/clients/package-lock.json -nt tests/clients/node_modules/.package-lock.json ]; then
  (cd tests/clients && npm ci --no-audit --no-fund --silent)
fi
