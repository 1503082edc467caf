// Test helpers for agent/keyfiles: read every golden key file of a folder, compare it with its .pubkey,
// and feed damaged copies to a reader.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "agent/keyfiles/key_file.hpp"
#include "agent/keys/key_factory.hpp"
#include "tests/support/test_data.hpp"

namespace latchkey::test {

using KeyFileReader = std::function<agent::Result<agent::keyfiles::KeyFile>(protocol::ByteView, const SecretBytes*)>;

inline const std::filesystem::path keyfile_dir = data_dir / "keyfiles";

inline const SecretBytes& test_passphrase()
{
    static const SecretBytes passphrase = SecretBytes::from_text("latchkey-test-passphrase");
    return passphrase;
}

// X.pubkey for a key file X or X.ppk: the OpenSSH public key line of the same key.
inline std::filesystem::path public_file(const std::filesystem::path& key_file)
{
    auto base = key_file.extension() == ".ppk" ? key_file.parent_path() / key_file.stem() : key_file;
    return base.string() + ".pubkey";
}

// The private key files of tests/data/keyfiles/<folder> (every file with a .pubkey beside it), sorted.
inline std::vector<std::filesystem::path> key_files(const std::string& folder)
{
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(keyfile_dir / folder))
        if (entry.path().extension() != ".pubkey" && std::filesystem::exists(public_file(entry.path())))
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    REQUIRE_FALSE(files.empty());
    return files;
}

// Reads `file` with the test passphrase (or none if `plain`), checks the key's public blob against
// the .pubkey beside it and that agent/keys accepts the key pair; returns the key file.
inline agent::keyfiles::KeyFile check_key_file(const KeyFileReader& reader, const std::filesystem::path& file,
                                               bool plain)
{
    INFO(file.string());
    auto contents = read_file(file);
    auto read = reader(contents, plain ? nullptr : &test_passphrase());
    REQUIRE_MESSAGE(read.has_value(), agent::describe(read.error()));
    CHECK(protocol::encode_public_key(read->key.public_key) == public_blob_from_file(public_file(file)));
    auto signing = agent::make_signing_key(read->key);
    CHECK_MESSAGE(signing.has_value(), (signing ? std::string() : agent::describe(signing.error())));
    return std::move(*read);
}

// Every prefix (at a stride) fails cleanly; flipping bytes anywhere never crashes.
inline void check_damaged_copies(const KeyFileReader& reader, const std::filesystem::path& file, bool plain,
                                 std::size_t stride = 7)
{
    INFO(file.string());
    auto contents = read_file(file);
    const SecretBytes* passphrase = plain ? nullptr : &test_passphrase();
    for (std::size_t size = 0; size + 40 < contents.size(); size += stride) {
        protocol::Bytes prefix(contents.begin(), contents.begin() + static_cast<std::ptrdiff_t>(size));
        CHECK_FALSE(reader(prefix, passphrase).has_value());
    }
    for (std::size_t at = 0; at < contents.size(); at += stride) {
        auto copy = contents;
        copy[at] ^= 0x5a;
        (void)reader(copy, passphrase);
    }
}

}  // namespace latchkey::test
