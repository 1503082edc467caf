// OpenSSL secure heap set-up, a checked allocator on top of it, and OpenSSL's memory hooks.
#include "platform/secure_memory.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "platform/memory_lock.hpp"

namespace latchkey::platform {

namespace {

// Written once at start-up, read by the hooks on every thread.
std::atomic<std::size_t> heap_size{0};
std::atomic<bool> hooks_installed{false};

// How many SecretAllocationScopes are alive on this thread.
thread_local unsigned scope_depth = 0;

bool is_secure(const void* p) noexcept
{
    return CRYPTO_secure_allocated(p) == 1;
}

// No file/line: a newer OpenSSL would queue an error for a full heap, and allocating the error state
// could come back here.
void* locked_block(std::size_t n) noexcept
{
    if (heap_size.load(std::memory_order_acquire) == 0)
        return nullptr;
    void* p = CRYPTO_secure_malloc(n, nullptr, 0);
    if (p != nullptr && !is_secure(p)) {
        OPENSSL_clear_free(p, n);
        return nullptr;
    }
    return p;
}

bool secrets_wanted() noexcept
{
    return scope_depth > 0 && heap_size.load(std::memory_order_acquire) != 0;
}

// CRYPTO_malloc_fn. Like OpenSSL's default, a request for 0 bytes gets nullptr.
void* allocate_hook(std::size_t n, const char*, int) noexcept
{
    if (n == 0)
        return nullptr;
    return secrets_wanted() ? locked_block(n) : std::malloc(n);
}

// CRYPTO_free_fn: wipes the whole block, whichever heap it is in.
void free_hook(void* p, const char*, int) noexcept
{
    if (p == nullptr)
        return;
    if (is_secure(p)) {
        CRYPTO_secure_clear_free(p, 0, nullptr, 0);  // wipes the block's actual size
        return;
    }
    if (const auto size = ordinary_block_size(p))
        OPENSSL_cleanse(p, *size);
    std::free(p);
}

// CRYPTO_realloc_fn with OpenSSL's contract (nullptr allocates, 0 frees and gives nullptr, failure
// leaves the old block alone), always moving to a new block so that the old one is wiped.
void* reallocate_hook(void* p, std::size_t n, const char* file, int line) noexcept
{
    if (p == nullptr)
        return allocate_hook(n, file, line);
    if (n == 0) {
        free_hook(p, file, line);
        return nullptr;
    }
    const bool secure = is_secure(p);
    const std::optional<std::size_t> old_size = secure ? CRYPTO_secure_actual_size(p) : ordinary_block_size(p);
    if (!old_size)
        return std::realloc(p, n);  // size unknown on this C library: see the header
    void* moved = secure || secrets_wanted() ? locked_block(n) : std::malloc(n);
    if (moved == nullptr)
        return nullptr;
    std::memcpy(moved, p, std::min(*old_size, n));
    free_hook(p, file, line);
    return moved;
}

}  // namespace

void install_openssl_allocator()
{
    if (hooks_installed.load())
        return;
    if (CRYPTO_set_mem_functions(allocate_hook, reallocate_hook, free_hook) != 1)
        throw SecureHeapError(
            "OpenSSL has already allocated memory, so private keys could not be kept out of ordinary memory: "
            "install the OpenSSL allocator before any other OpenSSL call (first thing in main)");
    hooks_installed.store(true);
}

bool openssl_allocator_installed() noexcept
{
    return hooks_installed.load();
}

SecretAllocationScope::SecretAllocationScope() noexcept
{
    ++scope_depth;
}

SecretAllocationScope::~SecretAllocationScope()
{
    --scope_depth;
}

void init_secure_heap(std::size_t size)
{
    if (heap_size.load() != 0)
        throw SecureHeapError("the secure heap is already initialised");
    size = std::bit_ceil(size);
    if (!make_room_to_lock(size))
        throw SecureHeapError(memlock_advice(size));
    int status = CRYPTO_secure_malloc_init(size, 16);
    if (status == 1) {
        heap_size.store(size, std::memory_order_release);
        return;
    }
    if (status == 2)  // created, but mlock or the guard pages failed: not acceptable for keys
        CRYPTO_secure_malloc_done();
    throw SecureHeapError(memlock_advice(size));
}

bool secure_heap_ready() noexcept
{
    return heap_size.load(std::memory_order_acquire) != 0;
}

void* secure_allocate(std::size_t n) noexcept
{
    return locked_block(n);
}

void secure_release(void* p) noexcept
{
    CRYPTO_secure_clear_free(p, 0, __FILE__, __LINE__);
}

std::size_t secure_heap_used() noexcept
{
    return secure_heap_ready() ? CRYPTO_secure_used() : 0;
}

std::size_t secure_heap_size() noexcept
{
    return heap_size.load(std::memory_order_acquire);
}

}  // namespace latchkey::platform
