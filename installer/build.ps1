# Builds jointlead for Windows: the PyInstaller one-folder app in dist\jointlead (jointlead.exe for the window,
# jointlead-cli.exe for scripts and IT), and with -Installer the setup dist\jointlead-VERSION-setup.exe (NSIS).
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1 [-Clean] [-Installer] [-Python py] [-SignCommand "..."]
# -Clean        forget PyInstaller's cache first (after changing the spec or the dependencies)
# -Installer    also compile installer\jointlead.nsi with makensis (NSIS 3 on PATH or in Program Files)
# -SignCommand  a command that signs the file named by %1, e.g.
#               '"C:\...\signtool.exe" sign /sha1 THUMBPRINT /fd SHA256 /tr TIMESTAMP-URL /td SHA256 "%1"'
#               run on both executables before the setup is made, and by makensis on the setup and its uninstaller
#               (see installer\README.md, "Code signing").
# The build runs in its own virtual environment (BUILD_VENV, default build\frozen-venv) with exactly jointlead's
# dependencies and PyInstaller. No admin rights are needed.
param(
    [switch]$Clean,
    [switch]$Installer,
    [string]$Python = "python",
    [string]$SignCommand = ""
)
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)

function Invoke-Checked([string]$What, [scriptblock]$Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)" }
}

function Invoke-Sign([string]$Path) {
    if (-not $SignCommand) { return }
    # The command as a user would type it, with %1 the file: run by PowerShell, as makensis runs it by cmd.
    $line = $SignCommand.Replace("%1", $Path)
    Write-Host "Signing $Path"
    Invoke-Checked "Signing $Path" { Invoke-Expression "& $line" }
}

$venv = if ($env:BUILD_VENV) { $env:BUILD_VENV } else { "build\frozen-venv" }
New-Item -ItemType Directory -Force build | Out-Null
if (-not (Test-Path "$venv\Scripts\python.exe")) {
    Invoke-Checked "Creating the build environment" { & $Python -m venv $venv }
}
$py = (Resolve-Path "$venv\Scripts\python.exe").Path

# The dependencies, the postgresql extra (a shared database needs psycopg) and the build extra as pyproject.toml lists
# them; jointlead itself is taken from src\ by the spec.
Invoke-Checked "Reading pyproject.toml" {
    & $py -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; x = p['optional-dependencies']; print(chr(10).join(p['dependencies'] + x['postgresql'] + x['build']))" |
        Set-Content -Encoding ascii build\frozen-requirements.txt
}
Invoke-Checked "Installing the build's dependencies" {
    & $py -m pip install --quiet --disable-pip-version-check --requirement build\frozen-requirements.txt
}

$pyinstallerArgs = @("--noconfirm", "--log-level", "WARN", "--distpath", "dist", "--workpath", "build\pyinstaller")
if ($Clean) { $pyinstallerArgs += "--clean" }
Invoke-Checked "PyInstaller" { & $py -m PyInstaller @pyinstallerArgs installer\jointlead.spec }
Invoke-Sign (Resolve-Path "dist\jointlead\jointlead.exe").Path
Invoke-Sign (Resolve-Path "dist\jointlead\jointlead-cli.exe").Path
Write-Host "Built dist\jointlead\ ; try dist\jointlead\jointlead-cli.exe --version"

if ($Installer) {
    $version = (& $py -c "import sys; sys.path.insert(0, 'src'); import jointlead; print(jointlead.__version__)").Trim()
    $makensis = Get-Command makensis -ErrorAction SilentlyContinue
    $makensisPath = if ($makensis) { $makensis.Source } else { Join-Path ${env:ProgramFiles(x86)} "NSIS\makensis.exe" }
    if (-not (Test-Path $makensisPath)) { throw "makensis not found: install NSIS 3 (for example: choco install nsis)" }
    $nsisArgs = @("/V2", "/DVERSION=$version", "/DSOURCE_DIR=..\dist\jointlead")
    if ($SignCommand) { $nsisArgs += "/DSIGN_COMMAND=$SignCommand" }
    Invoke-Checked "makensis" { & $makensisPath @nsisArgs installer\jointlead.nsi }
    Write-Host "Built dist\jointlead-$version-setup.exe"
}
