// Verifies an agent signature with real OpenSSH: wraps it as an SSHSIG and runs ssh-keygen -Y check-novalidate.
#pragma once

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "protocol/wire.hpp"

namespace latchkey::test {

inline constexpr std::string_view sshsig_namespace = "latchkey-test";

// The bytes an agent must sign for an SSHSIG over `message` (OpenSSH PROTOCOL.sshsig):
// "SSHSIG" ‖ string namespace ‖ string reserved ‖ string "sha512" ‖ string SHA-512(message).
inline protocol::Bytes sshsig_signed_data(protocol::ByteView message)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    EVP_Digest(message.data(), message.size(), digest, &digest_size, EVP_sha512(), nullptr);
    protocol::WireWriter writer;
    writer.write_bytes(protocol::ByteView(reinterpret_cast<const std::uint8_t*>("SSHSIG"), 6));
    writer.write_string(sshsig_namespace);
    writer.write_string(std::string_view());
    writer.write_string(std::string_view("sha512"));
    writer.write_string(protocol::ByteView(digest, digest_size));
    return std::move(writer).take();
}

// True if ssh-keygen accepts `signature_blob` (as returned in SIGN_RESPONSE, made over
// sshsig_signed_data(message)) as a signature of `message` by `public_blob`.
inline bool ssh_keygen_verifies(protocol::ByteView public_blob, protocol::ByteView signature_blob,
                                protocol::ByteView message)
{
    protocol::WireWriter sshsig;
    sshsig.write_bytes(protocol::ByteView(reinterpret_cast<const std::uint8_t*>("SSHSIG"), 6));
    sshsig.write_u32(1);
    sshsig.write_string(public_blob);
    sshsig.write_string(sshsig_namespace);
    sshsig.write_string(std::string_view());
    sshsig.write_string(std::string_view("sha512"));
    sshsig.write_string(signature_blob);
    const auto& raw = sshsig.buffer();

    std::string encoded(4 * ((raw.size() + 2) / 3), '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), raw.data(), static_cast<int>(raw.size()));

    auto directory = std::filesystem::temp_directory_path() / ("latchkey-sshsig-" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory);
    {
        std::ofstream signature(directory / "message.sig");
        signature << "-----BEGIN SSH SIGNATURE-----\n";
        for (std::size_t i = 0; i < encoded.size(); i += 70)
            signature << encoded.substr(i, 70) << '\n';
        signature << "-----END SSH SIGNATURE-----\n";
        std::ofstream data(directory / "message", std::ios::binary);
        data.write(reinterpret_cast<const char*>(message.data()), static_cast<std::streamsize>(message.size()));
    }
    std::string command = "ssh-keygen -Y check-novalidate -n " + std::string(sshsig_namespace) + " -s '" +
                          (directory / "message.sig").string() + "' < '" + (directory / "message").string() +
                          "' > /dev/null 2>&1";
    int status = std::system(command.c_str());
    std::filesystem::remove_all(directory);
    return status == 0;
}

}  // namespace latchkey::test
