; jointlead's Windows installer (NSIS 3). Installs the PyInstaller one-folder build (installer/build.ps1).
;
; For the user, with no admin rights (the default):
;     jointlead-0.1.0-setup.exe                  into %LOCALAPPDATA%\Programs\jointlead, Start menu for this user
; For IT, from an elevated prompt or a deployment tool running as an administrator or SYSTEM:
;     jointlead-0.1.0-setup.exe /ALLUSERS /S     into Program Files, Start menu for everyone
; /S is silent; /D=C:\Some\Folder (last, unquoted) chooses the folder. The uninstaller never touches anyone's data:
; the databases, backups and logs live in each user's %LOCALAPPDATA%\jointlead (src/jointlead/paths.py).
;
; Compile:  makensis -DSOURCE_DIR=..\dist\jointlead -DVERSION=0.1.0 installer\jointlead.nsi
; (paths are relative to this file; -DOUT_FILE=... to choose the setup's name; -DFAST for quick zlib compression).

Unicode true
ManifestDPIAware true
ManifestSupportedOS all
RequestExecutionLevel user ; never asks for admin rights; /ALLUSERS checks for them instead (see .onInit)

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef SOURCE_DIR
  !define SOURCE_DIR "..\dist\jointlead"
!endif
!ifndef OUT_FILE
  !define OUT_FILE "..\dist\jointlead-${VERSION}-setup.exe"
!endif
; Code signing (installer/README.md): -DSIGN_COMMAND='signtool sign ... "%1"' signs the setup once it is written and
; the uninstaller before it goes into the setup, so the uninstall.exe that lands on the laptop is signed too.
!ifdef SIGN_COMMAND
  !finalize '${SIGN_COMMAND}'
  !uninstfinalize '${SIGN_COMMAND}'
!endif
!ifdef FAST
  SetCompressor zlib
!else
  SetCompressor /SOLID lzma
!endif

!define APP "jointlead"
!define EXE "jointlead.exe"
!define PUBLISHER "jointlead"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\jointlead"

; The build must be there: a setup without the app in it would install nothing, quietly.
!if /FileExists "${SOURCE_DIR}\_internal\*.*"
!else
  !error "No one-folder build at ${SOURCE_DIR} (expected its _internal folder): build it first (installer\build.ps1)."
!endif

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

Name "${APP} ${VERSION}"
OutFile "${OUT_FILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP}"
BrandingText "${APP} ${VERSION}"
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1033 "ProductName" "${APP}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APP} installer"
VIAddVersionKey /LANG=1033 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "${PUBLISHER}"

Var AllUsers ; 1 when installing (or uninstalling) for every user of the machine

!define MUI_ABORTWARNING
; The setup and the uninstaller wear the app's own icon, as its window and shortcut do (resources/jointlead.svg).
!define MUI_ICON "..\resources\jointlead.ico"
!define MUI_UNICON "..\resources\jointlead.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Open ${APP} now"
!define MUI_UNCONFIRMPAGE_TEXT_TOP "${APP} will be removed from this computer. Your databases, their backups and the \
log stay where they are, in your own ${APP} data folder (%LOCALAPPDATA%\${APP}); delete that folder yourself if you \
no longer need them."
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

!macro RequireAdmin
  UserInfo::GetAccountType
  Pop $0
  ${If} $0 != "admin"
    MessageBox MB_ICONSTOP "Installing ${APP} for all users needs administrator rights. Run the setup from an \
      elevated prompt, or without /ALLUSERS to install it for yourself only." /SD IDOK
    SetErrorLevel 740 ; ERROR_ELEVATION_REQUIRED, for deployment tools
    Quit
  ${EndIf}
!macroend

Function .onInit
  StrCpy $AllUsers 0
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/ALLUSERS" $R1
  ${IfNot} ${Errors}
    StrCpy $AllUsers 1
    !insertmacro RequireAdmin
    ; /D= still wins: only the per-user default is replaced. Compared before the switch to all users, after which
    ; $LOCALAPPDATA names the shared ProgramData folder instead.
    ${If} $INSTDIR == "$LOCALAPPDATA\Programs\${APP}"
      StrCpy $INSTDIR "$PROGRAMFILES64\${APP}"
    ${EndIf}
    SetShellVarContext all
  ${Else}
    SetShellVarContext current
  ${EndIf}
FunctionEnd

Section "${APP}" Main
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; A previous version's files go first, so nothing stale is left in _internal. User data is never in here.
  RMDir /r "$INSTDIR\_internal"
  File /r "${SOURCE_DIR}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0 SW_SHOWNORMAL "" \
    "Pooled budgets, reporting lines, supervision and actions"

  ; Apps & features (Add or Remove Programs): this user's list, or the machine's.
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  ${If} $AllUsers == 1
    StrCpy $R9 "/ALLUSERS"
    SetRegView 64
    WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP}"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" $R9'
    WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" $R9 /S'
    WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
    WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
    WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" $0
  ${Else}
    WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP}"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
    WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
    WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
    WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
    WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0
  ${EndIf}
SectionEnd

Function un.onInit
  StrCpy $AllUsers 0
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/ALLUSERS" $R1
  ${IfNot} ${Errors}
    StrCpy $AllUsers 1
  ${EndIf}
  ; Run from Apps & features without the switch: a machine-wide install is recognised by its registry entry.
  SetRegView 64
  ReadRegStr $R2 HKLM "${UNINSTALL_KEY}" "InstallLocation"
  ${If} $R2 == $INSTDIR
    StrCpy $AllUsers 1
  ${EndIf}
  ${If} $AllUsers == 1
    !insertmacro RequireAdmin
    SetShellVarContext all
  ${Else}
    SetShellVarContext current
  ${EndIf}
FunctionEnd

Section "Uninstall"
  ; Only what the installer put here, by name: never a recursive delete of a folder the user may have chosen (/D=)
  ; and put other things in. The data folder, %LOCALAPPDATA%\jointlead, is not touched.
  Delete "$SMPROGRAMS\${APP}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\jointlead.exe"
  Delete "$INSTDIR\jointlead-cli.exe"
  Delete "$INSTDIR\jointlead"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR" ; only if now empty
  ${If} $AllUsers == 1
    SetRegView 64
    DeleteRegKey HKLM "${UNINSTALL_KEY}"
  ${Else}
    DeleteRegKey HKCU "${UNINSTALL_KEY}"
  ${EndIf}
  DetailPrint "Your ${APP} data (databases, backups, log) is kept, in %LOCALAPPDATA%\${APP} of each user."
SectionEnd
