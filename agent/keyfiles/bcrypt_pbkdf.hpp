// bcrypt_pbkdf, the key derivation of encrypted openssh-key-v1 files (OpenSSH's bcrypt_pbkdf.c,
// itself from OpenBSD): PBKDF2's structure around a bcrypt hash of SHA-512 digests.
#pragma once

#include <cstddef>

#include "agent/error.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent::keyfiles {

// Most rounds accepted. ssh-keygen's default is 16 and users raise it to a few hundred; each round
// costs about 10 ms per 32 bytes of output, so 10000 rounds for a 48-byte key already take minutes.
// A file asking for more is refused instead of hanging the client.
inline constexpr unsigned max_bcrypt_rounds = 10000;
// Longest output, salt: OpenSSH's own bounds (1024 bytes, 1 MiB).
inline constexpr std::size_t max_bcrypt_key_size = 1024;
inline constexpr std::size_t max_bcrypt_salt_size = std::size_t{1} << 20;

// Derives `key_size` bytes from passphrase and salt with `rounds` rounds.
// Fails with bad_passphrase for an empty passphrase (OpenSSH refuses it too), unsupported for rounds
// of 0 or above max_bcrypt_rounds, malformed for an empty or oversized salt or a key_size of 0 or above
// max_bcrypt_key_size, crypto_failure if SHA-512 fails.
Result<SecretBytes> bcrypt_pbkdf(protocol::ByteView passphrase, protocol::ByteView salt, unsigned rounds,
                                 std::size_t key_size);

}  // namespace latchkey::agent::keyfiles
