#!/usr/bin/env bash
# The Ruby example: soap4r runs sync_lead.rb.
# Needs MOCKMKTO_URL (e.g. http://127.0.0.1:8080), MOCKMKTO_USER_ID and MOCKMKTO_SECRET.
set -euo pipefail
cd "$(dirname "$0")"
: "${MOCKMKTO_URL:?}" "${MOCKMKTO_USER_ID:?}" "${MOCKMKTO_SECRET:?}"
bash install.sh
ruby sync_lead.rb
