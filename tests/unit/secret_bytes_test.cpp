// Tests of SecretBytes: wiping, constant-time equality, and the replaceable heap.
#include <doctest/doctest.h>

#include <cstring>

#include "protocol/secret_bytes.hpp"

using latchkey::SecretBytes;

TEST_CASE("secure_wipe zeroes memory")
{
    unsigned char buffer[16];
    std::memset(buffer, 0x5a, sizeof buffer);
    latchkey::secure_wipe(buffer, sizeof buffer);
    for (unsigned char b : buffer)
        CHECK(b == 0);
}

TEST_CASE("equality compares contents and lengths")
{
    CHECK(SecretBytes::from_text("abc") == SecretBytes::from_text("abc"));
    CHECK_FALSE(SecretBytes::from_text("abc") == SecretBytes::from_text("abd"));
    CHECK_FALSE(SecretBytes::from_text("abc") == SecretBytes::from_text("ab"));
    CHECK(SecretBytes() == SecretBytes());
}

namespace {

std::size_t allocations = 0;
std::size_t released_nonzero_bytes = 0;

void* counting_allocate(std::size_t n)
{
    ++allocations;
    return ::operator new(n);
}

void checking_release(void* p, std::size_t n) noexcept
{
    auto* bytes = static_cast<unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i)
        released_nonzero_bytes += bytes[i] != 0;
    ::operator delete(p);
}

void* refusing_allocate(std::size_t)
{
    throw latchkey::SecretHeapExhausted();
}

}  // namespace

TEST_CASE("every block, including those a reallocation leaves behind, is wiped before release")
{
    latchkey::install_secret_heap({counting_allocate, checking_release});
    {
        SecretBytes secret;
        for (int i = 0; i < 1000; ++i)
            secret.push_back(0xaa);
        CHECK(allocations > 1);
    }
    CHECK(released_nonzero_bytes == 0);

    latchkey::install_secret_heap({refusing_allocate, checking_release});
    CHECK_THROWS_AS(SecretBytes(32), latchkey::SecretHeapExhausted);
}
