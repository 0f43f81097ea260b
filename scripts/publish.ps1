# Builds a self-contained single-file handleetw.exe: dist\win-x64\ and dist\win-arm64\ (or the runtimes given).
# The symbol reader's native parts stay beside the exe in amd64\ or arm64\. Same steps as scripts/publish.sh for
# Windows (its linux-x64 native executable is built on Linux).
param([string[]]$Runtimes = @('win-x64', 'win-arm64'))
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
$work = Join-Path ([IO.Path]::GetTempPath()) ("handleetw-publish-" + [Guid]::NewGuid().ToString('N'))
try {
  foreach ($rid in $Runtimes) {
    $arch = switch ($rid) { 'win-x64' { 'amd64' } 'win-arm64' { 'arm64' } default { throw "unsupported runtime $rid (win-x64 or win-arm64)" } }
    $out = Join-Path $root "dist\$rid"
    if (Test-Path $out) { Remove-Item -Recurse -Force $out }
    dotnet publish (Join-Path $root 'src\HandleEtw.Cli\HandleEtw.Cli.csproj') -c Release -r $rid --self-contained `
      -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:DebugType=none `
      --artifacts-path (Join-Path $work $rid) -o $out --nologo -v quiet
    if ($LASTEXITCODE -ne 0) { throw "dotnet publish failed for $rid" }
    foreach ($other in 'amd64', 'arm64', 'x86') { if ($other -ne $arch) { Remove-Item -Recurse -Force -ErrorAction SilentlyContinue (Join-Path $out $other) } }
    Remove-Item -Force -ErrorAction SilentlyContinue (Join-Path $out '*.pdb')
    Write-Output "built $out\handleetw.exe (+ $arch\ native symbol reader parts)"
  }
} finally {
  Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $work
}
