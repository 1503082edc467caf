// libFuzzer target: read_openssh_key on any text, with the test passphrase when the file's bcrypt
// cost is small (a few rounds; the reader's own limit allows minutes, too slow for one fuzz input).
#include <cstddef>
#include <cstdint>

#include "agent/keyfiles/encoding.hpp"
#include "agent/keyfiles/openssh.hpp"
#include "protocol/wire.hpp"
#include "tests/fuzz/key_file_fuzz.hpp"

using namespace latchkey;

namespace {

constexpr std::uint32_t max_fuzz_rounds = 2;  // the corpus has copies of the encrypted files with -a 1

// True if the container names a KDF of at most max_fuzz_rounds rounds (or none); false if it
// cannot be told, in which case the reader runs without a passphrase.
bool cheap_to_decrypt(protocol::ByteView contents)
{
    auto body = agent::keyfiles::armored_body(agent::keyfiles::as_text(contents), "OPENSSH PRIVATE KEY");
    if (!body)
        return false;
    auto blob = agent::keyfiles::base64_decode(*body);
    if (!blob)
        return false;
    constexpr std::string_view magic{"openssh-key-v1\0", 15};
    protocol::WireReader reader(blob->view());
    if (!reader.read_bytes(magic.size()) || !reader.read_string() || !reader.read_string())
        return false;
    auto options = reader.read_string();
    if (!options)
        return false;
    if (options->empty())
        return true;
    protocol::WireReader kdf(*options);
    if (!kdf.read_string())  // salt
        return false;
    auto rounds = kdf.read_u32();
    return rounds && *rounds <= max_fuzz_rounds;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    protocol::ByteView contents(data, size);
    const SecretBytes* passphrase = cheap_to_decrypt(contents) ? &fuzz::test_passphrase() : nullptr;
    fuzz::check_key_file(agent::keyfiles::read_openssh_key(contents, passphrase));
    return 0;
}
