#!/usr/bin/env bash
# System packages the protocol tests drive: PHP SoapClient (php-cli, php-soap) and node-soap.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! php -m 2>/dev/null | grep -qi '^soap$'; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cli php-soap >/dev/null
fi
if [ -f tests/clients/package.json ] && [ ! -d tests/clients/node_modules/soap ]; then
  (cd tests/clients && npm install --no-audit --no-fund --silent)
fi
