// A private key read from a file (OpenSSH, PEM or PuTTY .ppk), and the one entry point that
// recognises the format. Pure functions from bytes and passphrase: no I/O, fuzzable.
#pragma once

#include <string>

#include "agent/error.hpp"
#include "protocol/private_key.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent::keyfiles {

// What a key file holds: the key (secret parts in SecretBytes) and its comment (empty when the
// format has none, as PEM).
struct KeyFile {
    protocol::PrivateKey key;
    std::string comment;
};

enum class KeyFileFormat { openssh, pem, ppk, unknown };

// What a key file shows without its passphrase: the public key blob, the comment (empty for
// openssh-key-v1, which keeps it in the encrypted part) and whether the private part is encrypted.
struct PublicHalf {
    protocol::Bytes public_blob;
    std::string comment;
    bool encrypted = false;
};

// The format `contents` claims to be, from its first line(s); nothing is decoded or checked.
KeyFileFormat detect_key_file_format(protocol::ByteView contents);

// Reads a key file of any supported format. `passphrase` is nullptr when the user has not been
// asked yet. Fails with:
// - passphrase_required: the file is encrypted and passphrase is nullptr (ask, then call again);
// - bad_passphrase (detail starts "wrong passphrase"): decryption or its checks failed;
// - unsupported: an unknown format, cipher, KDF, key type, or KDF parameters beyond the limits;
// - malformed / key_mismatch: the file is damaged or inconsistent; crypto_failure: OpenSSL refused.
Result<KeyFile> read_key_file(protocol::ByteView contents, const SecretBytes* passphrase);

// Reads the public half of an OpenSSH or PuTTY .ppk file without decrypting anything, so that a key
// can be listed before its first use. Fails with unsupported for a PEM file ("keeps its public key
// in the encrypted part"), another format, a certificate or an unknown key type; malformed when the
// file is damaged.
Result<PublicHalf> read_public_half(protocol::ByteView contents);

}  // namespace latchkey::agent::keyfiles
