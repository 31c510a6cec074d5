#!/usr/bin/env bash
# System packages the tests drive: PHP SoapClient (php-cli, php-soap), node-soap, Debian's chromium
# (the dashboard seen in a headless browser), and what each of examples/ needs (JAX-WS, soap4r, zeep).
# Idempotent and quiet: installs only what is missing or stale. Runs as root; node and npm are on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each example's own installer; examples/php/install.sh brings the PHP SoapClient that tests/clients drive too.
for install in examples/*/install.sh; do
  bash "$install"
done

# PostgreSQL: the suite runs on it as on SQLite (.ci/postgres.sh starts a throwaway cluster).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# npm writes node_modules/.package-lock.json on install: missing or older than the lock means (re)install.
if [ tests/clients/package-lock.json -nt tests/clients/node_modules/.package-lock.json ]; then
  (cd tests/clients && npm ci --no-audit --no-fund --silent)
fi
