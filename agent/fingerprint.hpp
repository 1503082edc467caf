// Key fingerprints as ssh-keygen -l prints them (SHA256:… and MD5:…).
#pragma once

#include <string>

#include "protocol/wire.hpp"

namespace latchkey::agent {

// Which digest fingerprints use (ssh-agent -E, ssh-add -E).
enum class FingerprintHash { sha256, md5 };

// "SHA256:" + unpadded base64 of SHA-256(public_blob). Never fails (a digest failure of OpenSSL is a
// programming error and throws std::runtime_error).
std::string sha256_fingerprint(protocol::ByteView public_blob);

// "MD5:" + lowercase hex pairs of MD5(public_blob) joined by ':'. Throws std::runtime_error if
// OpenSSL offers no MD5 (a build without it).
std::string md5_fingerprint(protocol::ByteView public_blob);

// The fingerprint of `public_blob` with `hash`; fails as the two above.
std::string fingerprint(protocol::ByteView public_blob, FingerprintHash hash);

}  // namespace latchkey::agent
