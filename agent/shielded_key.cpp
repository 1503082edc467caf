// Shielded keys: one process-wide 16 KiB random pre-key in locked memory, hashed into the AES-256-GCM
// key that seals every held key's encoding.
#include "agent/shielded_key.hpp"

#include <openssl/rand.h>

#include "agent/keyfiles/crypto.hpp"

namespace latchkey::agent {

namespace {

// As OpenSSH's SSHKEY_SHIELD_PREKEY_LEN: an attacker who reads memory with errors (RAMBleed,
// speculative reads) must recover all of it exactly to open any shield.
constexpr std::size_t prekey_size = 16 * 1024;

// The shielding key: SHA-256 of the pre-key, made when first needed and kept only as the pre-key.
// Fails with crypto_failure, or throws SecretHeapExhausted if the locked heap has no room for it.
Result<SecretBytes> shielding_key()
{
    static const SecretBytes prekey = [] {
        SecretBytes bytes(prekey_size);
        if (RAND_priv_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
            bytes.clear();
        return bytes;
    }();
    if (prekey.empty())
        return fail(Error(ErrorCode::crypto_failure, "no random bytes for the key shielding pre-key"));
    return keyfiles::digest("SHA256", {prekey.view()});
}

}  // namespace

ShieldedKey::ShieldedKey(SealedKey shielded, std::unique_ptr<SigningKey> signer, Clock::duration keep_clear)
    : shielded_(std::move(shielded)), keep_clear_(keep_clear), clear_(std::move(signer)), last_use_(Clock::now())
{
}

Result<std::shared_ptr<ShieldedKey>> ShieldedKey::make(const SecretBytes& encoding, std::unique_ptr<SigningKey> signer,
                                                       Clock::duration keep_clear)
{
    try {
        LATCHKEY_TRY(SecretBytes key, shielding_key());
        LATCHKEY_TRY(SealedKey shielded, seal(key, encoding));
        return std::make_shared<ShieldedKey>(std::move(shielded), std::move(signer), keep_clear);
    } catch (const SecretHeapExhausted&) {
        return fail(Error(ErrorCode::locked_memory_full, "no room in the locked heap for the key shielding pre-key"));
    }
}

Result<protocol::Bytes> ShieldedKey::sign(protocol::ByteView data, std::uint32_t flags) const
{
    std::shared_ptr<const SigningKey> signer;
    {
        const std::lock_guard lock(mutex_);
        if (!clear_) {
            LATCHKEY_TRY(SecretBytes opened, encoding());
            LATCHKEY_TRY(std::unique_ptr<SigningKey> rebuilt, signer_from_encoding(opened));
            clear_ = std::move(rebuilt);
        }
        signer = clear_;
        last_use_ = Clock::now();
    }
    return signer->sign(data, flags);
}

Result<SecretBytes> ShieldedKey::encoding() const
{
    LATCHKEY_TRY(SecretBytes key, shielding_key());
    return open(key, shielded_);
}

std::optional<ShieldedKey::Clock::time_point> ShieldedKey::shield_if_idle(Clock::time_point now) const
{
    const std::lock_guard lock(mutex_);
    if (!clear_)
        return std::nullopt;
    if (now - last_use_ < keep_clear_)
        return last_use_ + keep_clear_;
    clear_.reset();
    return std::nullopt;
}

bool ShieldedKey::clear() const
{
    const std::lock_guard lock(mutex_);
    return clear_ != nullptr;
}

}  // namespace latchkey::agent
