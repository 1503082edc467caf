// libFuzzer target: read_pem_key on any text. The test passphrase is offered only to the legacy
// "Proc-Type: 4,ENCRYPTED" encryption (one MD5 round); PKCS#8's PBKDF2 or scrypt cost comes from
// the input and could make one input take minutes, so those are read without a passphrase.
#include <cstddef>
#include <cstdint>

#include "agent/keyfiles/encoding.hpp"
#include "agent/keyfiles/pem.hpp"
#include "tests/fuzz/key_file_fuzz.hpp"

using namespace latchkey;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    protocol::ByteView contents(data, size);
    std::string_view text = agent::keyfiles::as_text(contents);
    bool legacy = text.find("Proc-Type:") != std::string_view::npos &&
                  text.find("ENCRYPTED PRIVATE KEY") == std::string_view::npos;
    fuzz::check_key_file(agent::keyfiles::read_pem_key(contents, legacy ? &fuzz::test_passphrase() : nullptr));
    return 0;
}
