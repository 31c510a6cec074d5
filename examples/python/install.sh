#!/usr/bin/env bash
# What the Python example needs: zeep, from PyPI into this folder's .venv.
# Idempotent and quiet: installs only what is missing or stale.
set -euo pipefail
cd "$(dirname "$0")"

# The stamp file records the install: missing or older than requirements.txt means (re)install.
if [ requirements.txt -nt .venv/installed ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
  touch .venv/installed
fi
