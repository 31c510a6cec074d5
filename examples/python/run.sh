#!/usr/bin/env bash
# The Python example: zeep runs sync_lead.py.
# Needs MOCKMKTO_URL (e.g. http://127.0.0.1:8080), MOCKMKTO_USER_ID and MOCKMKTO_SECRET.
set -euo pipefail
cd "$(dirname "$0")"
: "${MOCKMKTO_URL:?}" "${MOCKMKTO_USER_ID:?}" "${MOCKMKTO_SECRET:?}"
bash install.sh
.venv/bin/python sync_lead.py
