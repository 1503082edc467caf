// Tests of agent/keys/secure_heap_guard: every algorithm's key lives in the locked arena and
// returns it when freed, and a full heap refuses a key with locked_memory_full instead of falling
// back to ordinary memory.
#include <doctest/doctest.h>
#include <openssl/crypto.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/keys/bignum.hpp"
#include "agent/keys/dsa.hpp"
#include "agent/keys/ecdsa.hpp"
#include "agent/keys/ed25519.hpp"
#include "agent/keys/rsa.hpp"
#include "agent/keys/secure_heap_guard.hpp"
#include "agent/locked_secrets.hpp"
#include "platform/secure_memory.hpp"
#include "protocol/numbers.hpp"
#include "tests/unit/key_test_support.hpp"

using namespace latchkey;
using namespace latchkey::test;
using agent::ErrorCode;

namespace {

constexpr std::size_t heap_size = 256 * 1024;

// The process-wide locked arena, made once for every test case of this binary; it starts with one
// 64 KiB chunk locked.
void use_small_locked_heap()
{
    static const std::size_t locked_at_start = [] {
        agent::use_locked_memory_for_secrets(heap_size);
        return platform::secure_heap_locked();
    }();
    REQUIRE(locked_at_start == 64 * 1024);
    REQUIRE(platform::openssl_allocator_installed());
    REQUIRE(platform::secure_heap_ready());
}

struct EcdsaParts {
    Bytes point;
    SecretBytes scalar;
};

EcdsaParts ecdsa_parts()
{
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("P-256"), 0),
        OSSL_PARAM_construct_end(),
    };
    const EvpPkey generated = generate_key("EC", params);
    Bytes point(65);
    std::size_t length = 0;
    REQUIRE(EVP_PKEY_get_octet_string_param(generated.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(),
                                            &length) == 1);
    return {point, secret_number_of(*generated, OSSL_PKEY_PARAM_PRIV_KEY)};
}

using KeyMaker = std::function<agent::Result<std::unique_ptr<agent::SigningKey>>()>;

// One algorithm: a maker of the same key each time, the sign flags to use, and how many bytes of
// private numbers the key must at least hold in the locked arena.
struct KeyUnderTest {
    std::string name;
    KeyMaker make;
    std::uint32_t sign_flags;
    std::size_t private_bytes;
};

KeyUnderTest ed25519_under_test()
{
    const EvpPkey generated = generate_key("ED25519");
    SecretBytes seed_and_public(32);
    Bytes point(32);
    std::size_t length = 32;
    REQUIRE(EVP_PKEY_get_raw_private_key(generated.get(), seed_and_public.data(), &length) == 1);
    REQUIRE(EVP_PKEY_get_raw_public_key(generated.get(), point.data(), &length) == 1);
    seed_and_public.append(point);
    return {"Ed25519", [point, seed = std::make_shared<SecretBytes>(std::move(seed_and_public))] {
                return agent::make_ed25519_key(point, *seed);
            },
            0, 32};
}

KeyUnderTest ecdsa_under_test()
{
    auto parts = std::make_shared<EcdsaParts>(ecdsa_parts());
    return {"ECDSA P-256", [parts] { return agent::make_ecdsa_key("nistp256", parts->point, parts->scalar); }, 0, 32};
}

KeyUnderTest rsa_under_test()
{
    unsigned int bits = 2048;
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_BITS, &bits),
        OSSL_PARAM_construct_end(),
    };
    const EvpPkey generated = generate_key("RSA", params);
    const auto secret = [&](const char* name) { return std::make_shared<SecretBytes>(secret_number_of(*generated, name)); };
    return {"RSA-2048",
            [n = number_of(*generated, OSSL_PKEY_PARAM_RSA_N), e = number_of(*generated, OSSL_PKEY_PARAM_RSA_E),
             d = secret(OSSL_PKEY_PARAM_RSA_D), iqmp = secret(OSSL_PKEY_PARAM_RSA_COEFFICIENT1),
             p = secret(OSSL_PKEY_PARAM_RSA_FACTOR1), q = secret(OSSL_PKEY_PARAM_RSA_FACTOR2)] {
                return agent::make_rsa_key(n, e, *d, *iqmp, *p, *q);
            },
            protocol::sign_flag_rsa_sha2_256,
            // d, p, q, iqmp and the two CRT exponents
            256 + 5 * 128};
}

KeyUnderTest dsa_under_test()
{
    const EvpPkey generated = generate_dsa(1024, 160);
    return {"DSA",
            [p = number_of(*generated, OSSL_PKEY_PARAM_FFC_P), q = number_of(*generated, OSSL_PKEY_PARAM_FFC_Q),
             g = number_of(*generated, OSSL_PKEY_PARAM_FFC_G), y = number_of(*generated, OSSL_PKEY_PARAM_PUB_KEY),
             x = std::make_shared<SecretBytes>(secret_number_of(*generated, OSSL_PKEY_PARAM_PRIV_KEY))] {
                return agent::make_dsa_key(p, q, g, y, *x);
            },
            0, 20};
}

std::vector<KeyUnderTest> every_algorithm()
{
    return {ed25519_under_test(), ecdsa_under_test(), rsa_under_test(), dsa_under_test()};
}

// Takes blocks of every size from the locked arena until it refuses each; gives them back at the end.
class HeapFiller {
public:
    HeapFiller()
    {
        for (std::size_t block = 64 * 1024; block >= 16; block /= 2)
            while (void* p = platform::secure_allocate(block))
                blocks_.push_back(p);
    }
    ~HeapFiller()
    {
        for (void* p : blocks_)
            platform::secure_release(p);
    }
    HeapFiller(const HeapFiller&) = delete;
    HeapFiller& operator=(const HeapFiller&) = delete;

private:
    std::vector<void*> blocks_;
};

}  // namespace

TEST_CASE("every key algorithm keeps its key and its first signature's caches in the locked arena, and returns them")
{
    use_small_locked_heap();
    for (const KeyUnderTest& algorithm : every_algorithm()) {
        CAPTURE(algorithm.name);
        const Bytes data = text_bytes("data");
        {
            // The first key of an algorithm also makes OpenSSL's one-time caches (and this thread's
            // DRBGs) in the locked arena; they stay, so they are made before the measurement.
            auto warm_up = algorithm.make();
            REQUIRE(warm_up);
            REQUIRE((*warm_up)->sign(data, algorithm.sign_flags));
        }
        const std::size_t before = platform::secure_heap_used();
        auto key = algorithm.make();
        REQUIRE(key);
        const std::size_t built = platform::secure_heap_used();
        CHECK(built >= before + algorithm.private_bytes);
        REQUIRE((*key)->sign(data, algorithm.sign_flags));
        const std::size_t signed_once = platform::secure_heap_used();
        CHECK(signed_once >= built);
        REQUIRE((*key)->sign(data, algorithm.sign_flags));
        CHECK(platform::secure_heap_used() == signed_once);
        key->reset();
        CHECK(platform::secure_heap_used() == before);
        MESSAGE(algorithm.name << " holds " << built - before << " locked bytes once built, " << signed_once - before
                               << " after its first signature (" << std::string(OpenSSL_version(OPENSSL_VERSION)) << ")");
    }
}

TEST_CASE("keys are refused with locked_memory_full once the locked arena is full")
{
    use_small_locked_heap();
    const EcdsaParts parts = ecdsa_parts();
    std::vector<std::unique_ptr<agent::SigningKey>> keys;
    agent::Error refusal(ErrorCode::malformed);
    for (int i = 0; i < 2000; ++i) {
        auto key = agent::make_ecdsa_key("nistp256", parts.point, parts.scalar);
        if (!key) {
            refusal = key.error();
            break;
        }
        keys.push_back(std::move(*key));
    }
    MESSAGE(keys.size() << " ECDSA keys fit in a locked arena of " << heap_size << " bytes");
    CHECK(platform::secure_heap_locked() == heap_size);  // grown chunk by chunk to the maximum
    CHECK(keys.size() > 10);
    CHECK(keys.size() < 2000);
    CHECK(refusal.code == ErrorCode::locked_memory_full);
    CHECK(refusal.detail.find("locked arena") != std::string::npos);
    CHECK(refusal.detail.find("RLIMIT_MEMLOCK") != std::string::npos);
    // The accepted keys still work, and freeing some makes room again.
    CHECK(keys.back()->sign(text_bytes("data"), 0));
    keys.resize(keys.size() / 2);
    CHECK(agent::make_ecdsa_key("nistp256", parts.point, parts.scalar));
}

TEST_CASE("an allocation the locked arena refuses becomes locked_memory_full, not an ordinary-memory fallback")
{
    use_small_locked_heap();
    const Bytes big(2048, 0x5a);
    const EcdsaParts parts = ecdsa_parts();
    const HeapFiller filler;
    auto number = agent::secret_bignum(big);
    REQUIRE_FALSE(number);
    CHECK(number.error().code == ErrorCode::locked_memory_full);

    auto key = agent::make_ecdsa_key("nistp256", parts.point, parts.scalar);
    REQUIRE_FALSE(key);
    CHECK(key.error().code == ErrorCode::locked_memory_full);
}

TEST_CASE("room checks and failure explanations")
{
    use_small_locked_heap();
    CHECK(agent::reserve_locked_room(32));
    auto too_big = agent::reserve_locked_room(heap_size);
    REQUIRE_FALSE(too_big);
    CHECK(too_big.error().code == ErrorCode::locked_memory_full);

    CHECK(agent::explain_failure(agent::Error(ErrorCode::crypto_failure, "x"), heap_size).code ==
          ErrorCode::locked_memory_full);
    CHECK(agent::explain_failure(agent::Error(ErrorCode::crypto_failure, "x"), 32).code == ErrorCode::crypto_failure);
    CHECK(agent::explain_failure(agent::Error(ErrorCode::key_mismatch, "x"), heap_size).code ==
          ErrorCode::key_mismatch);
    const agent::Error advised = agent::explain_failure(agent::Error(ErrorCode::locked_memory_full, "x"), 32);
    CHECK(advised.code == ErrorCode::locked_memory_full);
    CHECK(advised.detail.find("RLIMIT_MEMLOCK") != std::string::npos);
}
