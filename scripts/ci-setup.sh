#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing (CI runs as root on a fresh machine):
# python3 for the result summary; chromium (headless) for the HTML report's browser test; node and npm for the Spark
# SQL grammar check of scripts/*.sql (dt-sql-parser, installed once into a cache folder, see below); mingw-w64 for the
# SDK layout test (compiles tests/assets/native/sdk_layout.c against the Windows SDK headers). The native symbol tests need no tools: their PE + PDB are committed in
# tests/assets/native (scripts/build-native-testassets.sh rebuilds them with clang + lld when symtest.c changes).
set -euo pipefail
has() { for name in "$@"; do command -v "$name" >/dev/null && return 0; done; return 1; }
need=()
has python3 || need+=(python3)
has chromium chromium-browser || need+=(chromium)
has node || need+=(nodejs)
has npm || need+=(npm)
has x86_64-w64-mingw32-gcc || need+=(mingw-w64)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
# The Spark SQL grammar (scripts/spark-sql-check.mjs): a pinned dt-sql-parser, installed once per machine into
# $HANDLEETW_TOOLS (default ~/.cache/handleetw); later runs find it there and skip npm.
tools="${HANDLEETW_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/handleetw}/spark-sql"
if [ ! -f "$tools/node_modules/dt-sql-parser/package.json" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --silent dt-sql-parser@4.5.1
fi
