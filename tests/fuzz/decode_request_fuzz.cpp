// libFuzzer target: decode_request must never crash, and what it decodes must re-encode to bytes
// that decode to the same request and encode identically again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "protocol/message.hpp"

using namespace latchkey::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    auto request = decode_request(ByteView(data, size));
    if (!request)
        return 0;
    latchkey::SecretBytes encoded = encode_request(*request);
    auto again = decode_request(encoded.view());
    if (!again || !(*again == *request) || !(encode_request(*again) == encoded))
        std::abort();
    return 0;
}
