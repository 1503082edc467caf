// Ed25519: the key is built from its seed; signatures are the raw 64 bytes (RFC 8709 §6).
#include "agent/keys/ed25519.hpp"

#include <array>

#include "agent/keys/evp_key.hpp"
#include "agent/keys/secure_heap_guard.hpp"

namespace latchkey::agent {

namespace {

constexpr std::size_t point_size = 32;
constexpr std::size_t seed_size = 32;

class Ed25519Key final : public SigningKey {
public:
    Ed25519Key(EvpPkey key, SignContext context) : key_(std::move(key)), context_(std::move(context)) {}

    Result<protocol::Bytes> sign(protocol::ByteView data, std::uint32_t) const override
    {
        LATCHKEY_TRY(protocol::Bytes signature, context_.sign(data));
        return signature_blob("ssh-ed25519", signature);
    }

private:
    EvpPkey key_;
    SignContext context_;
};

Result<EvpPkey> build(protocol::ByteView public_point, protocol::ByteView seed_and_public)
{
    EvpPkey key(EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr, seed_and_public.data(), seed_size));
    if (!key)
        return fail(openssl_failure("cannot create the Ed25519 key"));
    std::array<std::uint8_t, point_size> derived{};
    std::size_t length = derived.size();
    if (EVP_PKEY_get_raw_public_key(key.get(), derived.data(), &length) != 1 || length != derived.size())
        return fail(openssl_failure("cannot derive the Ed25519 public key"));
    if (!constant_time_equal(derived, public_point))
        return fail(Error(ErrorCode::key_mismatch, "Ed25519 public key does not match the private seed"));
    if (!constant_time_equal(derived, seed_and_public.subspan(seed_size)))
        return fail(Error(ErrorCode::key_mismatch, "Ed25519 private key carries another public key"));
    return key;
}

}  // namespace

Result<std::unique_ptr<SigningKey>> make_ed25519_key(protocol::ByteView public_point,
                                                     const SecretBytes& seed_and_public)
{
    if (public_point.size() != point_size)
        return fail(Error(ErrorCode::malformed, "Ed25519 public key is not 32 bytes"));
    if (seed_and_public.size() != seed_size + point_size)
        return fail(Error(ErrorCode::malformed, "Ed25519 private key is not 64 bytes"));
    LATCHKEY_TRY(EvpPkey key, build_in_locked_heap(locked_bytes_for_small_key, [&] { return build(public_point, seed_and_public.view()); }));
    LATCHKEY_TRY(SignContext context, SignContext::make(*key, nullptr));
    return std::unique_ptr<SigningKey>(std::make_unique<Ed25519Key>(std::move(key), std::move(context)));
}

}  // namespace latchkey::agent
