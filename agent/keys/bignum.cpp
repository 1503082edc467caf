// BIGNUM conversions for agent/keys.
#include "agent/keys/bignum.hpp"

#include <limits>

#include "agent/keys/evp_key.hpp"
#include "platform/secure_memory.hpp"

namespace latchkey::agent {

namespace {

Result<void> load(BIGNUM& number, protocol::ByteView magnitude)
{
    if (magnitude.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        return fail(Error(ErrorCode::malformed, "number too long"));
    if (BN_bin2bn(magnitude.data(), static_cast<int>(magnitude.size()), &number) == nullptr)
        return fail(openssl_failure("cannot allocate a big number"));
    return {};
}

}  // namespace

Result<Bignum> public_bignum(protocol::ByteView magnitude)
{
    Bignum number(BN_new());
    if (!number)
        return fail(openssl_failure("cannot allocate a big number"));
    LATCHKEY_CHECK(load(*number, magnitude));
    return number;
}

Result<Bignum> secret_bignum(protocol::ByteView magnitude)
{
    // BN_secure_new's memory (and the digits load() allocates) come through the OpenSSL hooks, which
    // put them in the locked arena only inside a scope (platform/secure_memory.hpp).
    const platform::SecretAllocationScope locked;
    Bignum number(BN_secure_new());
    if (!number)
        return fail(openssl_failure("cannot allocate a secure big number"));
    BN_set_flags(number.get(), BN_FLG_CONSTTIME);
    LATCHKEY_CHECK(load(*number, magnitude));
    return number;
}

Result<protocol::Bytes> bignum_bytes(const BIGNUM& number, std::size_t width)
{
    const auto length = static_cast<std::size_t>(BN_num_bytes(&number));
    if (width == 0)
        width = length;
    if (length > width || width > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        return fail(Error(ErrorCode::crypto_failure, "number longer than its field"));
    protocol::Bytes bytes(width);
    if (BN_bn2binpad(&number, bytes.data(), static_cast<int>(width)) < 0)
        return fail(openssl_failure("cannot convert a big number"));
    return bytes;
}

}  // namespace latchkey::agent
