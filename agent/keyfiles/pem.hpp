// Reader for PEM private keys through OpenSSL's decoders: PKCS#1 RSA, SEC1 EC, DSA, PKCS#8 plain
// and encrypted, and the legacy "Proc-Type: 4,ENCRYPTED" encryption.
#pragma once

#include "agent/keyfiles/key_file.hpp"

namespace latchkey::agent::keyfiles {

// Reads the first private key of a PEM file and converts it to an SSH key: RSA (n, e, d, p, q, iqmp),
// ECDSA on nistp256/384/521 (curve, uncompressed point, scalar), Ed25519 (raw keys) or DSA.
// The comment is empty: PEM has none. Fails with passphrase_required (encrypted, passphrase
// nullptr), bad_passphrase ("wrong passphrase ..." when OpenSSL asked for the passphrase and then
// could not decode), unsupported (another key type or curve), malformed (no private key in the
// text), crypto_failure (OpenSSL refused to export a parameter).
Result<KeyFile> read_pem_key(protocol::ByteView contents, const SecretBytes* passphrase);

}  // namespace latchkey::agent::keyfiles
