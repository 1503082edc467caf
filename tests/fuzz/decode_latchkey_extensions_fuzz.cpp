// libFuzzer target: the decoders of latchkey's extension replies (status, list-details) must never crash,
// and what they decode must encode to bytes that decode to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "protocol/latchkey_extensions.hpp"

using namespace latchkey::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const ByteView contents(data + 1, size - 1);
    if (data[0] & 1) {
        auto status = decode_agent_status(contents);
        if (!status)
            return 0;
        auto again = decode_agent_status(encode_agent_status(*status));
        if (!again || !(*again == *status))
            std::abort();
        return 0;
    }
    auto identities = decode_identity_details(contents);
    if (!identities)
        return 0;
    auto again = decode_identity_details(encode_identity_details(*identities));
    if (!again || !(*again == *identities))
        std::abort();
    return 0;
}
