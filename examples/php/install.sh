#!/usr/bin/env bash
# What the PHP example needs: PHP with its soap extension (SoapClient), from Debian (apt-get, as root).
# Idempotent and quiet: installs only what is missing or stale.
set -euo pipefail
cd "$(dirname "$0")"

# Captured first: grep -q stopping early must not break php's pipe under pipefail.
php_modules=$(php -m 2>/dev/null || true)
if ! grep -qix soap <<<"$php_modules"; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cli php-soap >/dev/null
fi
