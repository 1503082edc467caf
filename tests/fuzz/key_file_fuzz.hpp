// Shared by the key file fuzz targets: the oracle for what a reader accepts. A key a reader returns
// must either be refused by make_signing_key or sign a message that its own public key verifies.
#pragma once

#include <cstdlib>
#include <string_view>

#include "agent/keyfiles/encoding.hpp"
#include "agent/keyfiles/key_file.hpp"
#include "agent/keys/key_factory.hpp"
#include "agent/keys/verify.hpp"

namespace latchkey::fuzz {

// The passphrase the fuzz targets offer (the one every encrypted file in tests/data/keyfiles uses).
inline const SecretBytes& test_passphrase()
{
    static const SecretBytes passphrase(agent::keyfiles::as_bytes("latchkey-test-passphrase"));
    return passphrase;
}

// Aborts (a finding) if an accepted key cannot sign for its own public key.
inline void check_key_file(const agent::Result<agent::keyfiles::KeyFile>& file)
{
    if (!file)
        return;
    auto signer = agent::make_signing_key(file->key);
    if (!signer)
        return;
    const protocol::Bytes message = {'f', 'u', 'z', 'z'};
    auto signature = (*signer)->sign(message, 0);
    if (!signature || !agent::verify_signature(file->key.public_key, *signature, message))
        std::abort();
}

}  // namespace latchkey::fuzz
