#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing (CI runs as root on a fresh machine).
set -euo pipefail
need=()
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
