#!/usr/bin/env bash
# Rebuilds the committed native symbol test assets (tests/assets/native/symtest.exe, .pdb and the link map) from
# tests/assets/native/symtest.c, with Debian's clang and lld-link cross-compiling for x86_64-pc-windows-msvc, and
# records their SHA-256 in symtest.sha256 (checked by NativePdbReaderTests). Needs clang and lld (or the -14 names); the
# tests themselves need neither. Writes into OUTPUT_DIR (default: tests/assets/native).
# The output is byte-identical whatever OUTPUT_DIR is: sources are compiled under the fixed name C:\build, /Brepro
# derives the timestamp and PDB guid from the content, and /pdbaltpath keeps the output path out of the image.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$here/tests/assets/native}"
src="$here/tests/assets/native/symtest.c"

pick() { for name in "$@"; do if command -v "$name" >/dev/null; then echo "$name"; return 0; fi; done; return 1; }
cc="$(pick clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14)" || { echo "clang not found (apt-get install clang)" >&2; exit 2; }
link="$(pick lld-link lld-link-19 lld-link-18 lld-link-17 lld-link-16 lld-link-15 lld-link-14)" || { echo "lld-link not found (apt-get install lld)" >&2; exit 2; }

mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$src" "$work/symtest.c"
cd "$work"
"$cc" --target=x86_64-pc-windows-msvc -O1 -g -gcodeview -ffile-compilation-dir='C:\build' -c symtest.c -o symtest.obj
"$link" /nologo /debug /Brepro /pdbsourcepath:'C:\build' /pdbaltpath:symtest.pdb /entry:entry_point /nodefaultlib \
  /subsystem:console /out:symtest.exe /pdb:symtest.pdb /map:symtest.map symtest.obj
sha256sum symtest.exe symtest.pdb symtest.map > symtest.sha256
cp symtest.exe symtest.pdb symtest.map symtest.sha256 "$out/"
echo "built $out/symtest.exe $out/symtest.pdb (hashes in $out/symtest.sha256)"
