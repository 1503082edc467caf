// Test helper: a SigningKey from an unencrypted OpenSSH private key file (tests/data/hosts).
#pragma once

#include <memory>
#include <sstream>
#include <string>

#include "agent/keys/key_factory.hpp"
#include "protocol/private_key.hpp"
#include "tests/support/test_data.hpp"

namespace latchkey::test {

// The private key in an unencrypted "openssh-key-v1" file (cipher and kdf "none", one key).
// Fails the test if the file is anything else.
inline protocol::PrivateKey private_key_from_file(const std::filesystem::path& path)
{
    protocol::Bytes text = read_file(path);
    std::istringstream lines(std::string(text.begin(), text.end()));
    std::string line, encoded;
    while (std::getline(lines, line))
        if (!line.starts_with("-----"))
            encoded += line;
    auto decoded = base64_decode(encoded);
    REQUIRE(decoded.has_value());
    const std::string_view magic("openssh-key-v1\0", 15);
    REQUIRE(decoded->size() > magic.size());
    protocol::WireReader reader(protocol::ByteView(*decoded).subspan(magic.size()));
    REQUIRE(*reader.read_text() == "none");  // cipher
    REQUIRE(*reader.read_text() == "none");  // kdf
    REQUIRE(reader.read_string().has_value());  // kdf options
    REQUIRE(*reader.read_u32() == 1);
    REQUIRE(reader.read_string().has_value());  // public key
    auto section = reader.read_nested();
    REQUIRE(section.has_value());
    REQUIRE(section->read_u32().has_value());  // check ints
    REQUIRE(section->read_u32().has_value());
    auto key = protocol::read_private_key(*section);
    REQUIRE(key.has_value());
    return std::move(*key);
}

// A signer for the key in `path`, as private_key_from_file reads it.
inline std::unique_ptr<agent::SigningKey> signer_from_file(const std::filesystem::path& path)
{
    auto signer = agent::make_signing_key(private_key_from_file(path));
    REQUIRE(signer.has_value());
    return std::move(*signer);
}

}  // namespace latchkey::test
