// A Pageant client of the project's own for tests: PuTTY's two ways to reach an agent on Windows.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace latchkey::tests {

// One request over Pageant's window, step by step as PuTTY's client does it: FindWindow("Pageant",
// "Pageant"), a file mapping named PageantRequest%08x (this thread's id) of `mapping_size` bytes owned by
// this user's SID, `uint32 length ‖ body` written to it, WM_COPYDATA with dwData 0x804e50ba. Returns the
// reply body, or nullopt if there is no window, the window refused (returned 0) or the reply's length is
// out of range. `mapping_name` overrides the name, `length_field` the length written (for hostile tests).
std::optional<std::vector<std::uint8_t>> pageant_window_query(std::span<const std::uint8_t> body,
                                                              std::size_t mapping_size = 256 * 1024,
                                                              std::optional<std::uint32_t> length_field = {});

// One request over a named pipe (Pageant's or OpenSSH's): connect, write `uint32 length ‖ body`, read the
// reply. Returns the reply body, or nullopt if the pipe cannot be opened or the reply is cut short.
std::optional<std::vector<std::uint8_t>> pipe_query(const std::string& pipe_name, std::span<const std::uint8_t> body);

}  // namespace latchkey::tests
