#!/usr/bin/env bash
# Builds the native symbol test assets (a Windows PE + its PDB + a link map) into the folder given as argument,
# with Debian's clang and lld-link cross-compiling for x86_64-pc-windows-msvc. Needs clang, lld (or the -14 names).
set -euo pipefail
out="${1:?usage: build-native-testassets.sh OUTPUT_DIR}"
here="$(cd "$(dirname "$0")/.." && pwd)"
src="$here/tests/assets/native/symtest.c"

pick() { for name in "$@"; do if command -v "$name" >/dev/null; then echo "$name"; return 0; fi; done; return 1; }
cc="$(pick clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14)" || { echo "clang not found (apt-get install clang)" >&2; exit 2; }
link="$(pick lld-link lld-link-19 lld-link-18 lld-link-17 lld-link-16 lld-link-15 lld-link-14)" || { echo "lld-link not found (apt-get install lld)" >&2; exit 2; }

mkdir -p "$out"
out="$(cd "$out" && pwd)"
"$cc" --target=x86_64-pc-windows-msvc -O1 -g -gcodeview -c "$src" -o "$out/symtest.obj"
# /Brepro: the timestamp and PDB guid derive from the content, so rebuilding gives the same identity.
"$link" /nologo /debug /Brepro /entry:entry_point /nodefaultlib /subsystem:console \
  /out:"$out/symtest.exe" /pdb:"$out/symtest.pdb" /map:"$out/symtest.map" "$out/symtest.obj"
rm -f "$out/symtest.obj"
echo "built $out/symtest.exe $out/symtest.pdb"
