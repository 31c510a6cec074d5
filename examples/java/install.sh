#!/usr/bin/env bash
# What the Java example needs: a JDK and JAX-WS (wsimport and its runtime), from Debian (apt-get, as root).
# Idempotent and quiet: installs only what is missing or stale.
set -euo pipefail
cd "$(dirname "$0")"

# JDK 11 and later have no JAX-WS; Debian's jaxws package brings wsimport and the runtime jars.
if ! command -v javac >/dev/null || ! command -v wsimport >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless jaxws >/dev/null
fi
