// Passphrases from the Windows console with echo off (CONIN$), or from an askpass child's stdout pipe.
#include "platform/passphrase_input.hpp"

#include <windows.h>

#include <openssl/crypto.h>

#include "platform/secret_line.hpp"
#include "platform/windows/askpass_process.hpp"
#include "platform/windows/unique_handle.hpp"

namespace latchkey::platform {

namespace {

constexpr DWORD askpass_exit_wait_ms = 3000;  // after its output ends

// One line from `handle` (see read_secret_line); a broken pipe is the end of input.
std::optional<std::size_t> read_line(HANDLE handle, std::span<std::uint8_t> buffer, bool need_newline)
{
    auto read_byte = [handle](std::uint8_t& byte) {
        DWORD got = 0;
        if (!ReadFile(handle, &byte, 1, &got, nullptr))
            return GetLastError() == ERROR_BROKEN_PIPE ? 0 : -1;
        return static_cast<int>(got);
    };
    return read_secret_line(read_byte, buffer, need_newline);
}

void write_text(HANDLE handle, const std::string& text)
{
    DWORD written = 0;
    WriteFile(handle, text.data(), static_cast<DWORD>(text.size()), &written, nullptr);
}

// Turns echo off on a console input handle while it lives, and restores the previous mode.
class EchoOff {
public:
    explicit EchoOff(HANDLE console) : console_(console)
    {
        if (GetConsoleMode(console_, &saved_))
            active_ = SetConsoleMode(console_, (saved_ & ~DWORD{ENABLE_ECHO_INPUT}) | ENABLE_LINE_INPUT) != 0;
    }
    ~EchoOff()
    {
        if (active_)
            SetConsoleMode(console_, saved_);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    HANDLE console_;
    DWORD saved_ = 0;
    bool active_ = false;
};

}  // namespace

bool stdin_is_terminal() noexcept
{
    DWORD mode = 0;
    return GetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), &mode) != 0;
}

std::optional<std::size_t> read_terminal_passphrase(const std::string& prompt, std::span<std::uint8_t> buffer)
{
    UniqueHandle console_in(CreateFileA("CONIN$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                        nullptr, OPEN_EXISTING, 0, nullptr));
    UniqueHandle console_out(CreateFileA("CONOUT$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                         nullptr, OPEN_EXISTING, 0, nullptr));
    const HANDLE input = console_in ? console_in.get() : GetStdHandle(STD_INPUT_HANDLE);
    const HANDLE output = console_out ? console_out.get() : GetStdHandle(STD_ERROR_HANDLE);
    write_text(output, prompt);
    std::optional<std::size_t> length;
    {
        EchoOff quiet(input);
        length = read_line(input, buffer, true);
    }
    write_text(output, "\r\n");
    return length;
}

std::optional<std::size_t> read_askpass_passphrase(const std::string& program, const std::string& prompt,
                                                   std::span<std::uint8_t> buffer)
{
    AskpassProcess askpass = start_askpass_process(program, prompt, AskpassPurpose::passphrase, false);
    std::optional<std::size_t> length = read_line(askpass.output.get(), buffer, false);
    // Drain anything after the first line so that the child never blocks on a full pipe.
    std::uint8_t rest[256];
    DWORD got = 0;
    while (ReadFile(askpass.output.get(), rest, sizeof rest, &got, nullptr) && got > 0) {
    }
    OPENSSL_cleanse(rest, sizeof rest);
    askpass.output = UniqueHandle();
    if (WaitForSingleObject(askpass.process.get(), askpass_exit_wait_ms) != WAIT_OBJECT_0) {
        TerminateProcess(askpass.process.get(), 1);
        return std::nullopt;
    }
    if (process_exit_code(askpass.process.get()) != 0)
        return std::nullopt;
    return length;
}

}  // namespace latchkey::platform
