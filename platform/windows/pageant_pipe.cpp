// Pageant's pipe name: the user name, CryptProtectMemory and BCrypt's SHA-256, as PuTTY's client does it.
#include "platform/windows/pageant_pipe.hpp"

#include <windows.h>

#include <bcrypt.h>
#include <dpapi.h>
#define SECURITY_WIN32
#include <security.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <system_error>

namespace latchkey::platform {
namespace {

std::system_error last_error(const char* what)
{
    return {static_cast<int>(GetLastError()), std::system_category(), what};
}

// The account name PuTTY puts in the pipe name: the principal's part before '@', else the logon name.
std::string pipe_user_name()
{
    std::array<char, 512> name{};
    ULONG length = name.size();
    if (GetUserNameExA(NameUserPrincipal, name.data(), &length) && length > 0) {
        std::string principal(name.data(), length);
        return principal.substr(0, principal.find('@'));
    }
    DWORD logon_length = name.size();
    if (!GetUserNameA(name.data(), &logon_length) || logon_length == 0) {
        throw last_error("cannot read this user's name for Pageant's pipe");
    }
    return std::string(name.data());  // logon_length counts the NUL
}

struct AlgorithmCloser {
    void operator()(BCRYPT_ALG_HANDLE algorithm) const noexcept { BCryptCloseAlgorithmProvider(algorithm, 0); }
};
struct HashCloser {
    void operator()(BCRYPT_HASH_HANDLE hash) const noexcept { BCryptDestroyHash(hash); }
};

std::array<std::uint8_t, 32> sha256(std::span<const std::uint8_t> bytes)
{
    BCRYPT_ALG_HANDLE raw_algorithm = nullptr;
    if (!BCRYPT_SUCCESS(BCryptOpenAlgorithmProvider(&raw_algorithm, BCRYPT_SHA256_ALGORITHM, nullptr, 0))) {
        throw std::system_error(std::make_error_code(std::errc::function_not_supported), "no SHA-256 in BCrypt");
    }
    const std::unique_ptr<void, AlgorithmCloser> algorithm(raw_algorithm);
    BCRYPT_HASH_HANDLE raw_hash = nullptr;
    std::array<std::uint8_t, 32> digest{};
    bool ok = BCRYPT_SUCCESS(BCryptCreateHash(raw_algorithm, &raw_hash, nullptr, 0, nullptr, 0, 0));
    const std::unique_ptr<void, HashCloser> hash(raw_hash);
    ok = ok && BCRYPT_SUCCESS(BCryptHashData(raw_hash, const_cast<std::uint8_t*>(bytes.data()),
                                             static_cast<ULONG>(bytes.size()), 0));
    ok = ok && BCRYPT_SUCCESS(BCryptFinishHash(raw_hash, digest.data(), digest.size(), 0));
    if (!ok) {
        throw std::system_error(std::make_error_code(std::errc::function_not_supported), "BCrypt SHA-256 failed");
    }
    return digest;
}

}  // namespace

std::string pageant_pipe_name()
{
    // PuTTY's put_string of the protected block: a big-endian length, then the 16 bytes.
    std::array<std::uint8_t, 4 + CRYPTPROTECTMEMORY_BLOCK_SIZE> block{0, 0, 0, CRYPTPROTECTMEMORY_BLOCK_SIZE,
                                                                      'P', 'a', 'g', 'e', 'a', 'n', 't'};
    // Failure leaves the block as it is, which PuTTY hashes all the same.
    CryptProtectMemory(block.data() + 4, CRYPTPROTECTMEMORY_BLOCK_SIZE, CRYPTPROTECTMEMORY_CROSS_PROCESS);
    static constexpr char hex[] = "0123456789abcdef";
    std::string name = "\\\\.\\pipe\\pageant." + pipe_user_name() + ".";
    for (const std::uint8_t byte : sha256(block)) {
        name += hex[byte >> 4];
        name += hex[byte & 0x0f];
    }
    return name;
}

}  // namespace latchkey::platform
