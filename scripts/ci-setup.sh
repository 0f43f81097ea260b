#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing (CI runs as root on a fresh machine):
# python3 for the result summary; clang, lld and llvm (llvm-symbolizer, llvm-pdbutil) for the native symbol tests,
# which build their PE + PDB assets with scripts/build-native-testassets.sh on first use; chromium (headless) for the
# HTML report's browser test; node and npm for the Spark SQL grammar check of scripts/*.sql (dt-sql-parser, installed
# once into a cache folder, see below); mingw-w64 for the SDK layout test (compiles tests/assets/native/sdk_layout.c
# against the Windows SDK headers).
set -euo pipefail
has() { for name in "$@"; do command -v "$name" >/dev/null && return 0; done; return 1; }
need=()
has python3 || need+=(python3)
has clang clang-14 clang-15 clang-16 clang-17 clang-18 clang-19 || need+=(clang)
has lld-link lld-link-14 lld-link-15 lld-link-16 lld-link-17 lld-link-18 lld-link-19 || need+=(lld)
has llvm-symbolizer || need+=(llvm)
has llvm-pdbutil || need+=(llvm)
has chromium chromium-browser || need+=(chromium)
has node || need+=(nodejs)
has npm || need+=(npm)
has x86_64-w64-mingw32-gcc || need+=(mingw-w64)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
# Fail setup early with a clear message rather than later inside a test.
"$(dirname "$0")/build-native-testassets.sh" "${TMPDIR:-/tmp}/handleetw-native-assets-check" >/dev/null
# The Spark SQL grammar (scripts/spark-sql-check.mjs): a pinned dt-sql-parser, installed once per machine into
# $HANDLEETW_TOOLS (default ~/.cache/handleetw); later runs find it there and skip npm.
tools="${HANDLEETW_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/handleetw}/spark-sql"
if [ ! -f "$tools/node_modules/dt-sql-parser/package.json" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --silent dt-sql-parser@4.5.1
fi
