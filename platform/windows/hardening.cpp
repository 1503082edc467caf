// Process hardening on Windows: no crash dialogs and no Windows Error Reporting dumps of a process
// that holds private keys.
#include "platform/hardening.hpp"

#include <windows.h>

#include <system_error>

namespace latchkey::platform {

namespace {

// Windows Error Reporting: excludes this executable from crash reports (and so from their dumps).
// wer.dll has no import library header in mingw-w64, so it is looked up at run time; where it is
// missing (Wine) SetErrorMode alone applies.
void exclude_from_error_reporting()
{
    HMODULE wer = LoadLibraryW(L"wer.dll");
    if (wer == nullptr)
        return;
    using Exclude = HRESULT(WINAPI*)(PCWSTR, BOOL);
    auto exclude = reinterpret_cast<Exclude>(reinterpret_cast<void*>(GetProcAddress(wer, "WerAddExcludedApplication")));
    wchar_t path[MAX_PATH];
    DWORD length = GetModuleFileNameW(nullptr, path, MAX_PATH);
    if (exclude != nullptr && length > 0 && length < MAX_PATH)
        exclude(path, FALSE);
}

}  // namespace

void harden_process()
{
    // No "program has stopped working" dialog, no critical-error boxes: a crash ends the process without
    // the reporting that would write its memory to a dump file.
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    exclude_from_error_reporting();
}

}  // namespace latchkey::platform
