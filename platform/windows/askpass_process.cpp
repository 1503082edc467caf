// CreateProcessW for the askpass: a quoted command line, an environment block with SSH_ASKPASS_PROMPT, and a
// private named pipe for its stdout (named so that the agent's end can use overlapped I/O).
#include "platform/windows/askpass_process.hpp"

#include <atomic>
#include <cwchar>
#include <cwctype>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

namespace latchkey::platform {

namespace {

std::system_error last_error(const std::string& what)
{
    return std::system_error(static_cast<int>(GetLastError()), std::system_category(), what);
}

std::wstring widen(const std::string& text)
{
    if (text.empty())
        return {};
    int size = MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
    std::wstring wide(static_cast<std::size_t>(size), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), wide.data(), size);
    return wide;
}

// One argument as CommandLineToArgvW reads it back: in quotes, with backslashes before a quote doubled.
std::wstring quote(const std::wstring& argument)
{
    std::wstring quoted = L"\"";
    std::size_t backslashes = 0;
    for (wchar_t c : argument) {
        if (c == L'\\') {
            ++backslashes;
            continue;
        }
        quoted.append(c == L'"' ? 2 * backslashes + 1 : backslashes, L'\\');
        backslashes = 0;
        quoted += c;
    }
    quoted.append(2 * backslashes, L'\\');
    return quoted + L"\"";
}

bool names_variable(const wchar_t* entry, const wchar_t* name)
{
    for (; *name != L'\0'; ++entry, ++name) {
        if (std::towupper(*entry) != std::towupper(*name))
            return false;
    }
    return *entry == L'=';
}

// This process's environment without SSH_ASKPASS_PROMPT, plus SSH_ASKPASS_PROMPT=confirm for a confirmation.
std::vector<wchar_t> askpass_environment(AskpassPurpose purpose)
{
    std::vector<wchar_t> block;
    wchar_t* strings = GetEnvironmentStringsW();
    for (const wchar_t* entry = strings; entry != nullptr && *entry != L'\0'; entry += wcslen(entry) + 1) {
        if (!names_variable(entry, L"SSH_ASKPASS_PROMPT"))
            block.insert(block.end(), entry, entry + wcslen(entry) + 1);
    }
    if (strings != nullptr)
        FreeEnvironmentStringsW(strings);
    if (purpose == AskpassPurpose::confirm) {
        const std::wstring setting = L"SSH_ASKPASS_PROMPT=confirm";
        block.insert(block.end(), setting.c_str(), setting.c_str() + setting.size() + 1);
    }
    block.push_back(L'\0');
    return block;
}

// A pipe of its own for one askpass's stdout: the read end (this process) and an inheritable write end.
std::pair<UniqueHandle, UniqueHandle> output_pipe(bool overlapped)
{
    static std::atomic<unsigned> counter = 0;
    const std::string name = R"(\\.\pipe\latchkey-askpass-)" + std::to_string(GetCurrentProcessId()) + "-" +
                             std::to_string(++counter);
    UniqueHandle read_end(CreateNamedPipeA(name.c_str(),
                                           PIPE_ACCESS_INBOUND | FILE_FLAG_FIRST_PIPE_INSTANCE |
                                               (overlapped ? FILE_FLAG_OVERLAPPED : 0),
                                           PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                                           1, 4096, 4096, 0, nullptr));
    if (!read_end)
        throw last_error("cannot create the askpass's output pipe");
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    UniqueHandle write_end(CreateFileA(name.c_str(), GENERIC_WRITE, 0, &inherit, OPEN_EXISTING, 0, nullptr));
    if (!write_end)
        throw last_error("cannot open the askpass's output pipe");
    return {std::move(read_end), std::move(write_end)};
}

}  // namespace

AskpassProcess start_askpass_process(const std::string& program, const std::string& prompt, AskpassPurpose purpose,
                                     bool overlapped)
{
    auto [read_end, write_end] = output_pipe(overlapped);
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    UniqueHandle null_input(CreateFileA("NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                                        OPEN_EXISTING, 0, nullptr));
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = null_input.get();
    startup.hStdOutput = write_end.get();
    startup.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    std::wstring command_line = quote(widen(program)) + L" " + quote(widen(prompt));
    std::vector<wchar_t> environment = askpass_environment(purpose);
    PROCESS_INFORMATION started{};
    if (!CreateProcessW(nullptr, command_line.data(), nullptr, nullptr, TRUE,
                        CREATE_UNICODE_ENVIRONMENT | CREATE_NO_WINDOW, environment.data(), nullptr, &startup,
                        &started))
        throw last_error(program);
    CloseHandle(started.hThread);
    return AskpassProcess{UniqueHandle(started.hProcess), started.dwProcessId, std::move(read_end)};
}

std::optional<int> process_exit_code(HANDLE process) noexcept
{
    if (WaitForSingleObject(process, 0) == WAIT_TIMEOUT)
        return std::nullopt;
    DWORD code = 0;
    if (!GetExitCodeProcess(process, &code))
        return -1;
    return static_cast<int>(code);
}

}  // namespace latchkey::platform
