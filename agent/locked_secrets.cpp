// Connects SecretBytes' heap hook to platform's locked arena, after installing OpenSSL's memory hooks.
#include "agent/locked_secrets.hpp"

#include "platform/secure_memory.hpp"
#include "protocol/secret_bytes.hpp"

namespace latchkey::agent {

namespace {

void* allocate_locked(std::size_t n)
{
    void* p = platform::secure_allocate(n == 0 ? 1 : n);
    if (p == nullptr)
        throw SecretHeapExhausted();
    return p;
}

void release_locked(void* p, std::size_t) noexcept
{
    platform::secure_release(p);
}

}  // namespace

void use_locked_memory_for_secrets(std::size_t size)
{
    platform::install_openssl_allocator();
    platform::init_secure_heap(size);
    install_secret_heap({allocate_locked, release_locked});
}

}  // namespace latchkey::agent
