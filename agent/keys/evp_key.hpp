// The EVP steps every key algorithm shares: build a key from parameters, check it, sign, wrap the result.
#pragma once

#include <initializer_list>
#include <string_view>
#include <utility>

#include "agent/error.hpp"
#include "agent/keys/openssl_handles.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent {

// An ErrorCode::crypto_failure saying what failed and, if OpenSSL queued one, its reason (never key
// material); locked_memory_full instead if OpenSSL's secure heap refused an allocation (or, with the
// secure heap in use, OpenSSL reports a malloc failure). Empties
// OpenSSL's error queue of this thread.
Error openssl_failure(std::string_view what);

// Adds each (name, number) to the builder; a number flagged BN_FLG_SECURE lands in the secure part of
// the parameters. The numbers must outlive the builder's to_param. Fails with crypto_failure.
Result<void> push_bignums(OSSL_PARAM_BLD& builder,
                          std::initializer_list<std::pair<const char*, const BIGNUM*>> numbers);

// A key pair of `key_type` ("RSA", "EC", "DSA") made with EVP_PKEY_fromdata from the builder's
// parameters. Fails with crypto_failure if OpenSSL rejects the parameters or runs out of memory.
Result<EvpPkey> key_pair_from_params(const char* key_type, OSSL_PARAM_BLD& builder);

// Checks that the private half of `key` belongs to its public half (EVP_PKEY_pairwise_check).
// Fails with key_mismatch, naming `what`.
Result<void> check_key_pair(EVP_PKEY& key, std::string_view what);

// A signing context for one key and one digest, set up once and copied for every signature, so
// that OpenSSL fetches the algorithm and binds the key once instead of per signature (that set-up is
// about a tenth of an Ed25519 signature's cost and a third of an ECDSA P-256 one's). Holds a
// reference to the key. sign() is safe from several threads at once: each copies the template.
class SignContext {
public:
    // Sets up EVP_DigestSign with the digest named `digest` ("SHA256"…; nullptr for Ed25519) and the
    // key's default padding, in the locked heap. Fails with crypto_failure or locked_memory_full.
    static Result<SignContext> make(EVP_PKEY& key, const char* digest);

    // Signs `data` inside a platform::SecretAllocationScope (everything OpenSSL allocates meanwhile,
    // including the caches a key keeps from its first signature, is locked). Returns the raw
    // signature OpenSSL produces (DER for ECDSA and DSA). Fails with crypto_failure, or
    // locked_memory_full if the locked heap has no room for the work.
    Result<protocol::Bytes> sign(protocol::ByteView data) const;

private:
    explicit SignContext(EvpMdCtx prepared) : prepared_(std::move(prepared)) {}
    EvpMdCtx prepared_;
};

// A one-off signature: SignContext::make(key, digest), then sign(data). Fails as those do.
Result<protocol::Bytes> digest_sign(EVP_PKEY& key, const char* digest, protocol::ByteView data);

// The SSH signature blob: string algorithm ‖ string signature (RFC 4253 §6.6).
protocol::Bytes signature_blob(std::string_view algorithm, protocol::ByteView signature);

}  // namespace latchkey::agent
