// Reading key files and their small companions (.pub, -cert.pub) from disk, bounded, secrets into locked memory.
#pragma once

#include <cstddef>
#include <string>

#include "agent/error.hpp"
#include "protocol/secret_bytes.hpp"

namespace latchkey::agent {

// Key files larger than this are refused before they are read (a key file is a few KiB).
inline constexpr std::size_t max_key_file_size = 1024 * 1024;

// The bytes of a key file, read into locked memory (a private key file may be unencrypted). Fails with
// malformed "cannot read FILE: reason" or "FILE is larger than 1 MiB, not a key file".
Result<SecretBytes> read_key_file_bytes(const std::string& path);

// The whole of a small file (public key, certificate). Fails with malformed naming the file and reason.
Result<std::string> read_text_file(const std::string& path);

}  // namespace latchkey::agent
