#!/usr/bin/env bash
# Everything bench/run.py needs, beside the project: a venv with the Python packages, wrk, and
# WireMock's jar (its npm package ships it; Java 17 must be on the machine).
#   bash bench/setup.sh [VENV]     (default VENV: bench/.venv)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-bench/.venv}"
python3 -m venv "$venv"
"$venv/bin/pip" install -q -e '.[test]' -r bench/requirements.txt
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
npm install --prefix bench --no-audit --no-fund
java -version 2>&1 | head -1
echo "ready: $venv/bin/python bench/run.py [--quick]"
