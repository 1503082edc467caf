// SigningKey: the one interface every private key algorithm (Ed25519, ECDSA, RSA, DSA) implements.
#pragma once

#include <cstdint>

#include "agent/error.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent {

// A decoded private key that can sign. Its secret lives in an OpenSSL EVP key, built from numbers
// held in the secure heap; whether OpenSSL keeps its own copy there depends on the algorithm and
// version (see secure_heap_guard.hpp).
class SigningKey {
public:
    SigningKey() = default;
    SigningKey(const SigningKey&) = delete;
    SigningKey& operator=(const SigningKey&) = delete;
    virtual ~SigningKey() = default;

    // The SSH signature blob: string algorithm-name ‖ string signature-bytes (RFC 9987 §6.5 /
    // RFC 4253 §6.6, RFC 8332, RFC 5656, RFC 8709). `flags` = SIGN_REQUEST flags (RSA picks ssh-rsa /
    // rsa-sha2-256 / rsa-sha2-512; others ignore them). Safe to call from several threads at once.
    // Fails with crypto_failure if OpenSSL refuses, or locked_memory_full if the locked heap is the cause.
    virtual Result<protocol::Bytes> sign(protocol::ByteView data, std::uint32_t flags) const = 0;
};

}  // namespace latchkey::agent
