#!/usr/bin/env bash
# What the Ruby example needs: Ruby and soap4r, from Debian (apt-get, as root).
# Idempotent and quiet: installs only what is missing or stale.
set -euo pipefail
cd "$(dirname "$0")"

if ! ruby -e "require 'soap/wsdlDriver'" 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ruby ruby-soap4r >/dev/null
fi
