#!/usr/bin/env bash
# Builds a self-contained single-file handleetw.exe for Windows from any OS: dist/win-x64/ and dist/win-arm64/ (or the
# runtime identifiers given as arguments). The symbol reader's native parts (msdia140.dll, KernelTraceControl.dll)
# stay beside the exe in the folder of its architecture (amd64/ or arm64/), where the symbol reader loads them.
# linux-x64 (or linux-arm64 on an arm64 machine) builds dist/linux-x64/handleetw, one native executable for analysing
# traces on Linux machines without .NET (Native AOT; needs a C compiler, as the Release build's native step does). It
# is compiled for x86-64-v3 processors (AVX2: most made since 2015), which the analysis is measured on; older ones
# cannot run it.
# Needs the .NET SDK and the NuGet registry (runtime packs). Usage: scripts/publish.sh [win-x64] [win-arm64] [linux-x64]
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
    linux-x64|linux-arm64) arch=none ;;
    *) echo "publish.sh: unsupported runtime $rid (win-x64, win-arm64, linux-x64 or linux-arm64)" >&2; exit 2 ;;
  esac
  out="$here/dist/$rid"
  rm -rf "$out"
  if [ "$arch" = none ]; then
    # The Release build's native settings (NativeOnBuild.targets), for portable code: x86-64-v3, or arm64's default.
    isa=x86-64-v3; [ "$rid" = linux-arm64 ] && isa=
    dotnet publish "$here/src/HandleEtw.Cli/HandleEtw.Cli.csproj" -c Release -r "$rid" -p:NativePublish=true \
      -p:IlcInstructionSet="$isa" --artifacts-path "$work/$rid" -o "$out" --nologo -v quiet
    rm -rf "${out:?}"/amd64 "${out:?}"/arm64 "${out:?}"/x86 "$out"/*.pdb "$out"/*.dll
    echo "built $out/handleetw (native)"
    continue
  fi
  # --artifacts-path keeps this build's obj/bin away from the normal build's.
  dotnet publish "$here/src/HandleEtw.Cli/HandleEtw.Cli.csproj" -c Release -r "$rid" --self-contained \
    -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:DebugType=none \
    --artifacts-path "$work/$rid" -o "$out" --nologo -v quiet
  for other in amd64 arm64 x86; do [ "$other" = "$arch" ] || rm -rf "${out:?}/$other"; done
  rm -f "$out"/*.pdb
  echo "built $out/handleetw.exe (+ $arch/ native symbol reader parts)"
done
