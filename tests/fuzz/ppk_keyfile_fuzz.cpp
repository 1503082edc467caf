// libFuzzer target: read_ppk on any text, with the test passphrase when the file's Argon2 cost is
// small (the reader's own limits allow 1 GiB and 1000 passes, far too slow for one fuzz input).
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/keyfiles/encoding.hpp"
#include "agent/keyfiles/ppk.hpp"
#include "tests/fuzz/key_file_fuzz.hpp"

using namespace latchkey;

namespace {

// The number after "<name>: " at the start of a line, or nullopt.
std::optional<std::uint64_t> header_number(std::string_view text, std::string_view name)
{
    std::string needle = "\n" + std::string(name) + ": ";
    auto at = text.find(needle);
    if (at == std::string_view::npos)
        return std::nullopt;
    std::uint64_t value = 0;
    const char* begin = text.data() + at + needle.size();
    auto [end, error] = std::from_chars(begin, text.data() + text.size(), value);
    if (error != std::errc())
        return std::nullopt;
    return value;
}

// True if no Argon2 is named or its memory, passes and lanes are all small.
bool cheap_to_decrypt(std::string_view text)
{
    if (text.find("Argon2") == std::string_view::npos)
        return true;  // v2 (one SHA-1) or unencrypted
    auto memory = header_number(text, "Argon2-Memory");
    auto passes = header_number(text, "Argon2-Passes");
    auto lanes = header_number(text, "Argon2-Parallelism");
    return memory && passes && lanes && *memory <= 8192 && *passes <= 4 && *lanes <= 4;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    protocol::ByteView contents(data, size);
    bool cheap = cheap_to_decrypt(agent::keyfiles::as_text(contents));
    fuzz::check_key_file(agent::keyfiles::read_ppk(contents, cheap ? &fuzz::test_passphrase() : nullptr));
    return 0;
}
