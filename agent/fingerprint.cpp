// Fingerprints of public key blobs with EVP_Digest.
#include "agent/fingerprint.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace latchkey::agent {

namespace {

struct Digest {
    std::array<unsigned char, EVP_MAX_MD_SIZE> bytes{};
    unsigned int size = 0;
};

Digest digest(const EVP_MD* algorithm, protocol::ByteView data)
{
    Digest result;
    if (algorithm == nullptr ||
        EVP_Digest(data.data(), data.size(), result.bytes.data(), &result.size, algorithm, nullptr) != 1)
        throw std::runtime_error("OpenSSL cannot compute a key fingerprint");
    return result;
}

}  // namespace

std::string sha256_fingerprint(protocol::ByteView public_blob)
{
    const Digest hash = digest(EVP_sha256(), public_blob);
    std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> base64{};
    const int length = EVP_EncodeBlock(base64.data(), hash.bytes.data(), static_cast<int>(hash.size));
    std::string text(reinterpret_cast<const char*>(base64.data()), static_cast<std::size_t>(length));
    text.erase(text.find_last_not_of('=') + 1);
    return "SHA256:" + text;
}

std::string md5_fingerprint(protocol::ByteView public_blob)
{
    static constexpr char hex[] = "0123456789abcdef";
    const Digest hash = digest(EVP_md5(), public_blob);
    std::string text = "MD5:";
    for (unsigned int i = 0; i < hash.size; ++i) {
        if (i != 0)
            text += ':';
        text += hex[hash.bytes[i] >> 4];
        text += hex[hash.bytes[i] & 0x0f];
    }
    return text;
}

std::string fingerprint(protocol::ByteView public_blob, FingerprintHash hash)
{
    return hash == FingerprintHash::md5 ? md5_fingerprint(public_blob) : sha256_fingerprint(public_blob);
}

}  // namespace latchkey::agent
