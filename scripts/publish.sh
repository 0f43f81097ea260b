#!/usr/bin/env bash
# Builds a self-contained single-file handleetw.exe for Windows from any OS: dist/win-x64/ and dist/win-arm64/ (or the
# runtime identifiers given as arguments). The symbol reader's native parts (msdia140.dll, KernelTraceControl.dll)
# stay beside the exe in the folder of its architecture (amd64/ or arm64/), where the symbol reader loads them.
# Needs the .NET SDK and the NuGet registry (runtime packs). Usage: scripts/publish.sh [win-x64] [win-arm64]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=(win-x64 win-arm64)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for rid in "${rids[@]}"; do
  case "$rid" in
    win-x64) arch=amd64 ;;
    win-arm64) arch=arm64 ;;
    *) echo "publish.sh: unsupported runtime $rid (win-x64 or win-arm64)" >&2; exit 2 ;;
  esac
  out="$here/dist/$rid"
  rm -rf "$out"
  # --artifacts-path keeps this build's obj/bin away from the normal build's.
  dotnet publish "$here/src/HandleEtw.Cli/HandleEtw.Cli.csproj" -c Release -r "$rid" --self-contained \
    -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:DebugType=none \
    --artifacts-path "$work/$rid" -o "$out" --nologo -v quiet
  for other in amd64 arm64 x86; do [ "$other" = "$arch" ] || rm -rf "${out:?}/$other"; done
  rm -f "$out"/*.pdb
  echo "built $out/handleetw.exe (+ $arch/ native symbol reader parts)"
done
