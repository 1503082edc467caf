// libFuzzer target, stateful: the input is a sequence of requests, each a 2-byte big-endian length
// and that many bytes of body, answered in turn by one Dispatcher over a fresh, real Keystore (so a
// sequence can add keys, sign, lock, unlock, bind and remove). Every reply must decode as a reply,
// and every signature given must verify with the key the request named.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "agent/dispatcher.hpp"
#include "agent/keys/verify.hpp"
#include "protocol/key_blob.hpp"

using namespace latchkey;

namespace {

constexpr std::size_t max_requests = 32;  // bounds the time of one input
constexpr unsigned lock_iterations = 10;   // a real lock's 100000 PBKDF2 iterations would dominate

// Aborts (a finding) unless `reply` decodes and, for a signature, verifies against the request's key.
void check_reply(protocol::ByteView body, protocol::ByteView reply)
{
    auto decoded = protocol::decode_reply(reply);
    if (!decoded)
        std::abort();
    auto* signature = std::get_if<protocol::SignResponse>(&*decoded);
    if (!signature)
        return;
    auto request = protocol::decode_request(body);
    auto* sign = request ? std::get_if<protocol::SignRequest>(&*request) : nullptr;
    if (!sign)
        std::abort();  // a signature in answer to something that is not a sign request
    auto key = protocol::decode_public_key(sign->key_blob);
    if (!key || !agent::verify_signature(*key, signature->signature, sign->data))
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    spdlog::set_level(spdlog::level::off);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    agent::Keystore keystore(lock_iterations);
    agent::Dispatcher dispatcher(keystore);
    agent::ConnectionContext context;
    protocol::ByteView input(data, size);
    for (std::size_t count = 0; count < max_requests && input.size() >= 2; ++count) {
        std::size_t length = std::min<std::size_t>((std::size_t{input[0]} << 8) | input[1], input.size() - 2);
        protocol::ByteView body = input.subspan(2, length);
        input = input.subspan(2 + length);
        check_reply(body, dispatcher.handle_message(body, context));
    }
    return 0;
}
