// Reader for PuTTY's private key files (.ppk, format versions 2 and 3; PuTTY's sshpubk.c).
#pragma once

#include <cstdint>

#include "agent/keyfiles/key_file.hpp"

namespace latchkey::agent::keyfiles {

// Argon2 limits (PPK v3): a file asking for more is refused before any memory is allocated.
// puttygen's default is 8 MiB, 1 lane and as many passes as take 100 ms (about 10-30).
inline constexpr std::uint32_t max_argon2_memory_kib = 1024 * 1024;  // 1 GiB
inline constexpr std::uint32_t max_argon2_passes = 1000;
inline constexpr std::uint32_t max_argon2_parallelism = 64;

// True if the text starts with "PuTTY-User-Key-File-".
bool is_ppk(protocol::ByteView contents);

// Reads a PPK v2 or v3 file: the header lines, the public and private blobs, the key derivation
// (v2: SHA-1 of the passphrase; v3: Argon2id/i/d), AES-256-CBC decryption, and the Private-MAC
// (v2 HMAC-SHA-1, v3 HMAC-SHA-256) verified before the private blob is decoded.
// Key types: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa, ssh-dss.
// Fails with passphrase_required (encrypted, passphrase nullptr), bad_passphrase ("wrong passphrase
// (MAC mismatch: file corrupted or wrong passphrase)"), unsupported (version 1, other encryption,
// KDF or key type, Argon2 parameters above the limits), malformed (any line or field, a MAC mismatch
// in an unencrypted file), key_mismatch (public blob of another type than the header),
// crypto_failure (OpenSSL or libargon2 refused).
Result<KeyFile> read_ppk(protocol::ByteView contents, const SecretBytes* passphrase);

// The public key and comment of a .ppk file, from its clear header lines; the MAC is not checked
// (that needs the passphrase). Fails as read_ppk does on the header lines, with unsupported for a
// certificate or an unknown key type and key_mismatch when the key's type differs from the header.
Result<PublicHalf> read_ppk_public_half(protocol::ByteView contents);

}  // namespace latchkey::agent::keyfiles
