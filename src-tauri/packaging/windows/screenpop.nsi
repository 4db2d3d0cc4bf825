; The Windows installer: per machine, silent with /S, built on Linux with Debian's makensis by
; `.ci/windows-installer` (Tauri's NSIS bundler downloads plugins while it builds, which an offline
; build cannot do). Only NSIS's own headers and its System plugin are used.
;
;   screenpop-setup.exe /S                  silent install to C:\Program Files\screenpop
;   screenpop-setup.exe /S /D=D:\Apps\sp    elsewhere (/D last, unquoted, as NSIS requires)
;   "C:\Program Files\screenpop\uninstall.exe" /S
;
; What it writes, all machine-wide, and all removed again by the uninstaller:
;   - screenpop.exe (the launcher, deep links and commands) and screenpop-desktop.exe (the window),
;     and WebView2Loader.dll beside them, which the window imports (the -gnu build links the
;     loader dynamically; without it Windows refuses to start the window at all). CI reads the
;     imports of every installed program and fails on a DLL that is neither Windows' nor here.
;   - HKLM\Software\Classes\screenpop: the screenpop:// scheme, opened by the launcher
;   - the Start-menu shortcut for all users, carrying the AppUserModelID that Windows files the
;     app's notifications under (without it, toasts appear as PowerShell's or not at all)
;   - the Add/Remove Programs entry
; The agents' own settings (%APPDATA%\screenpop) and keys (Credential Manager) are theirs and stay.
;
; WebView2: not bundled. Windows 11 and current Windows 10 ship the Evergreen runtime, and fleets
; service it through WSUS/Intune; an offline fleet deploys Microsoft's Evergreen Standalone
; installer beforehand. This installer checks for it and, when it is missing, says so (a message
; box, or a line in the log and exit code 0 in silent mode, so the runtime can follow). Until it
; is there the window says so itself and exits with code 8.
;
; Defines from the build script: VERSION, BINDIR (the programs and the DLL), ICON, OUTFILE, and
; COMPRESSOR (lzma to ship; zlib for the debug build CI installs, which lzma takes minutes over).

Unicode true
Target amd64-unicode
SetCompressor /SOLID ${COMPRESSOR}
RequestExecutionLevel admin
ManifestDPIAware true

!include LogicLib.nsh
!include x64.nsh
!include Win\COM.nsh
!include Win\Propkey.nsh

!define APP "screenpop"
!define AUMID "ai.screenpop.desktop"
!define SCHEME "screenpop"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\screenpop"
!define WEBVIEW2_KEY "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "${APP}"
OutFile "${OUTFILE}"
Icon "${ICON}"
UninstallIcon "${ICON}"
InstallDir "$PROGRAMFILES64\${APP}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "FileDescription" "${APP} installer"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "MIT licence"

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "screenpop needs 64-bit Windows 10 or 11." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

; $0: the shortcut to write, $1: its target. Sets the AppUserModelID through the shell's own
; property store, as NSIS's CreateShortcut cannot.
Function WriteShortcut
  !insertmacro ComHlpr_CreateInProcInstance ${CLSID_ShellLink} ${IID_IShellLink} r2 ""
  ${If} $2 P<> 0
    ${IShellLink::SetPath} $2 '("$1").r3'
    ${IShellLink::SetIconLocation} $2 '("$1",0).r3'
    ${IShellLink::SetDescription} $2 '("Who is calling and why, the moment a call is handed over").r3'
    ${IUnknown::QueryInterface} $2 '("${IID_IPropertyStore}",.r3)'
    ${If} $3 P<> 0
      System::Call '*${SYSSTRUCT_PROPERTYKEY}(${PKEY_AppUserModel_ID})p.r4'
      System::Call '*(&w${NSIS_MAX_STRLEN} "${AUMID}")p.r5'
      System::Call '*${SYSSTRUCT_PROPVARIANT}(${VT_LPWSTR},,p r5)p.r6'
      ${IPropertyStore::SetValue} $3 '($4,$6)'
      ${IPropertyStore::Commit} $3 ""
      ${IUnknown::Release} $3 ""
      System::Free $4
      System::Free $5
      System::Free $6
    ${EndIf}
    ${IUnknown::QueryInterface} $2 '("${IID_IPersistFile}",.r3)'
    ${If} $3 P<> 0
      ${IPersistFile::Save} $3 '("$0",1)'
      ${IUnknown::Release} $3 ""
    ${EndIf}
    ${IUnknown::Release} $2 ""
  ${EndIf}
  ${IfNot} ${FileExists} "$0"
    ; The COM route failed (a stripped-down shell): a plain shortcut still starts the app.
    DetailPrint "The shortcut could not carry the AppUserModelID; notifications may not show."
    CreateShortcut "$0" "$1"
  ${EndIf}
FunctionEnd

Section "screenpop" Main
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "${BINDIR}\screenpop.exe"
  File "${BINDIR}\screenpop-desktop.exe"
  File "${BINDIR}\WebView2Loader.dll"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; screenpop:// opens the launcher, which hands the link to this session's window.
  WriteRegStr HKLM "Software\Classes\${SCHEME}" "" "URL:screenpop"
  WriteRegStr HKLM "Software\Classes\${SCHEME}" "URL Protocol" ""
  WriteRegStr HKLM "Software\Classes\${SCHEME}\DefaultIcon" "" '"$INSTDIR\screenpop-desktop.exe",0'
  WriteRegStr HKLM "Software\Classes\${SCHEME}\shell\open\command" "" '"$INSTDIR\screenpop.exe" "%1"'

  StrCpy $0 "$SMPROGRAMS\${APP}.lnk"
  StrCpy $1 "$INSTDIR\screenpop-desktop.exe"
  Call WriteShortcut

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "screenpop"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" '"$INSTDIR\screenpop-desktop.exe",0'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1

  ReadRegStr $2 HKLM "${WEBVIEW2_KEY}" "pv"
  ${If} $2 == ""
  ${OrIf} $2 == "0.0.0.0"
    DetailPrint "Microsoft Edge WebView2 Runtime is not installed: screenpop's window needs it."
    MessageBox MB_ICONEXCLAMATION "screenpop's window needs the Microsoft Edge WebView2 Runtime, which is not installed on this computer. Ask IT to deploy it (Evergreen Standalone installer); screenpop works as soon as it is there." /SD IDOK
  ${EndIf}
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${APP}.lnk"
  DeleteRegKey HKLM "Software\Classes\${SCHEME}"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  Delete "$INSTDIR\screenpop.exe"
  Delete "$INSTDIR\screenpop-desktop.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
SectionEnd
