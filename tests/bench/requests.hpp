// The requests the load generator sends and the checks it applies to every reply.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/key_blob.hpp"
#include "protocol/message.hpp"

namespace latchkey::bench {

// A key the agent holds, as REQUEST_IDENTITIES lists it.
struct ListedKey {
    protocol::Bytes blob;
    protocol::PublicKey key;
    std::string comment;
};

// The body of a REQUEST_IDENTITIES message.
protocol::Bytes list_request();

// The keys in a reply body to REQUEST_IDENTITIES. Fails (nullopt) if the reply is not an
// IDENTITIES_ANSWER or a key in it does not decode.
std::optional<std::vector<ListedKey>> listed_keys(protocol::ByteView reply);

// True if `reply` is an IDENTITIES_ANSWER listing exactly `expected` keys.
bool is_identities_answer(protocol::ByteView reply, std::size_t expected);

// The SIGN_REQUEST flags and signature algorithm used for a key: rsa-sha2-512 for RSA (flag 0x04),
// the key's own type name otherwise.
std::uint32_t sign_flags_for(const protocol::PublicKey& key);
std::string signature_algorithm_for(const protocol::PublicKey& key);

// A SIGN_REQUEST for `key` over a userauth request the way ssh sends it for public key
// authentication (RFC 4252 §7): a 32-byte session id, user "bench", service "ssh-connection",
// method "publickey", the signature algorithm and the key blob. Every call of next() changes the
// session id, as every new login does.
class SignRequestStream {
public:
    explicit SignRequestStream(const ListedKey& key, std::uint64_t seed);

    // The body of the next request; valid until the following call.
    protocol::ByteView next();
    // The data signed by the request next() last returned (the userauth request).
    protocol::ByteView signed_data() const;

private:
    protocol::Bytes body_;
    std::size_t data_offset_ = 0;
    std::uint64_t counter_;
};

// Checks a reply to a SIGN_REQUEST: a SIGN_RESPONSE whose blob names `algorithm` and carries one
// signature string. Returns the signature blob, or nullopt if anything is off.
std::optional<protocol::ByteView> signature_in(protocol::ByteView reply, const std::string& algorithm);

}  // namespace latchkey::bench
