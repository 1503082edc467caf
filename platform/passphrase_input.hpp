// Reading a passphrase: from the terminal with echo off, or from an askpass program's output.
// The caller owns the buffer (locked memory, wiped by its owner); nothing here keeps a copy.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace latchkey::platform {

// Whether standard input is a terminal (ssh-add reads from askpass when it is not). Never fails.
bool stdin_is_terminal() noexcept;

// Writes `prompt` to /dev/tty (or, without one, stderr) and reads one line with echo turned off from
// /dev/tty (or, without one, stdin) into `buffer`, without its newline; echo is restored afterwards and
// a newline printed. Returns the passphrase's length, or nullopt at end of input before a newline or
// when nothing can be read. A longer line is cut to buffer.size() bytes (the rest is read and dropped).
// Never throws.
std::optional<std::size_t> read_terminal_passphrase(const std::string& prompt, std::span<std::uint8_t> buffer);

// Runs the askpass `program` with `prompt` for a passphrase (platform::start_askpass), reads its output
// into `buffer` up to the first newline, and waits for it to exit. Returns the passphrase's length, or
// nullopt if it exits with a non-zero status (the user cancelled) or cannot be read. Output beyond
// buffer.size() is read and dropped. Throws std::system_error if the program cannot be started.
std::optional<std::size_t> read_askpass_passphrase(const std::string& program, const std::string& prompt,
                                                   std::span<std::uint8_t> buffer);

}  // namespace latchkey::platform
