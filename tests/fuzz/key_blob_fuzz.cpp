// libFuzzer target: decode_public_key (plain keys and certificates) must never crash, and a decoded
// key must re-encode to a blob that decodes to the same key and is then stable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "protocol/key_blob.hpp"

using namespace latchkey::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    auto key = decode_public_key(ByteView(data, size));
    if (!key)
        return 0;
    Bytes encoded = encode_public_key(*key);
    auto again = decode_public_key(encoded);
    if (!again || !(*again == *key) || encode_public_key(*again) != encoded)
        std::abort();
    return 0;
}
