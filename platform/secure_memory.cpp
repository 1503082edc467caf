// OpenSSL secure heap set-up and a checked allocator on top of it.
#include "platform/secure_memory.hpp"

#include <openssl/crypto.h>
#include <sys/resource.h>

#include <bit>
#include <string>

namespace latchkey::platform {

namespace {

std::size_t heap_size = 0;

std::string memlock_advice(std::size_t size)
{
    struct rlimit limit {};
    std::string current = "unknown";
    if (getrlimit(RLIMIT_MEMLOCK, &limit) == 0)
        current = limit.rlim_cur == RLIM_INFINITY ? "unlimited" : std::to_string(limit.rlim_cur / 1024) + " KiB";
    return "cannot lock " + std::to_string(size / 1024) + " KiB of memory for private keys (RLIMIT_MEMLOCK is " +
           current + "); raise it with `ulimit -l " + std::to_string(size / 1024 * 2) +
           "` in the shell, `LimitMEMLOCK=` in the systemd unit, or memlock in /etc/security/limits.conf";
}

}  // namespace

void init_secure_heap(std::size_t size)
{
    if (heap_size != 0)
        throw SecureHeapError("the secure heap is already initialised");
    size = std::bit_ceil(size);
    int status = CRYPTO_secure_malloc_init(size, 16);
    if (status == 1) {
        heap_size = size;
        return;
    }
    if (status == 2)  // created, but mlock or the guard pages failed: not acceptable for keys
        CRYPTO_secure_malloc_done();
    throw SecureHeapError(memlock_advice(size));
}

bool secure_heap_ready() noexcept
{
    return heap_size != 0;
}

void* secure_allocate(std::size_t n) noexcept
{
    if (heap_size == 0)
        return nullptr;
    void* p = CRYPTO_secure_malloc(n, __FILE__, __LINE__);
    if (p != nullptr && CRYPTO_secure_allocated(p) == 0) {
        OPENSSL_clear_free(p, n);
        return nullptr;
    }
    return p;
}

void secure_release(void* p) noexcept
{
    CRYPTO_secure_clear_free(p, 0, __FILE__, __LINE__);
}

std::size_t secure_heap_used() noexcept
{
    return heap_size == 0 ? 0 : CRYPTO_secure_used();
}

std::size_t secure_heap_size() noexcept
{
    return heap_size;
}

}  // namespace latchkey::platform
