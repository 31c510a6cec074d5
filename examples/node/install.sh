#!/usr/bin/env bash
# What the Node.js example needs: node-soap (npm "soap"), from npm into this folder's node_modules.
# Idempotent and quiet: installs only what is missing or stale.
set -euo pipefail
cd "$(dirname "$0")"

# npm writes node_modules/.package-lock.json on install: missing or older than the lock means (re)install.
if [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --silent
fi
