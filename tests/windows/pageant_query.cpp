// Test client under Wine: sends one agent request over Pageant's window or pipe, the way PuTTY does, and
// prints the reply. Usage: pageant_query.exe window|pipe REQUEST_HEX; prints REPLY_HEX, exits 1 on no reply.
#include <windows.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "platform/windows/pageant_pipe.hpp"
#include "tests/support/pageant_client.hpp"

namespace {

std::optional<std::vector<std::uint8_t>> from_hex(const char* text)
{
    const std::size_t length = std::strlen(text);
    if (length % 2 != 0) {
        return std::nullopt;
    }
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i < length; i += 2) {
        unsigned value = 0;
        if (std::sscanf(text + i, "%2x", &value) != 1) {
            return std::nullopt;
        }
        bytes.push_back(static_cast<std::uint8_t>(value));
    }
    return bytes;
}

}  // namespace

int main(int argc, char** argv)
{
    const std::optional<std::vector<std::uint8_t>> request = argc == 3 ? from_hex(argv[2]) : std::nullopt;
    if (!request || (std::strcmp(argv[1], "window") != 0 && std::strcmp(argv[1], "pipe") != 0)) {
        std::fprintf(stderr, "usage: pageant_query.exe window|pipe REQUEST_HEX\n");
        return 2;
    }
    const auto reply = std::strcmp(argv[1], "window") == 0
                           ? latchkey::tests::pageant_window_query(*request)
                           : latchkey::tests::pipe_query(latchkey::platform::pageant_pipe_name(), *request);
    if (!reply) {
        std::fprintf(stderr, "no reply over Pageant's %s\n", argv[1]);
        return 1;
    }
    for (const std::uint8_t byte : *reply) {
        std::printf("%02x", byte);
    }
    std::printf("\n");
}
