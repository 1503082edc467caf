// The process's locked arena for secrets, and OpenSSL's memory hooks that put a thread's secret work there.
#include "platform/secure_memory.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "platform/locked_arena.hpp"
#include "platform/memory_lock.hpp"

namespace latchkey::platform {

namespace {

// Made once at start-up and kept until the process exits (OpenSSL frees blocks into it up to its very
// end), read by the hooks on every thread.
std::atomic<LockedArena*> the_arena{nullptr};
std::atomic<bool> hooks_installed{false};

// How many SecretAllocationScopes are alive on this thread.
thread_local unsigned scope_depth = 0;

LockedArena* arena() noexcept
{
    return the_arena.load(std::memory_order_acquire);
}

void* locked_block(std::size_t n) noexcept
{
    LockedArena* locked = arena();
    return locked == nullptr ? nullptr : locked->allocate(n);
}

// `figure` of the arena, or 0 before there is one.
template <class Figure>
std::size_t measure(Figure figure) noexcept
{
    const LockedArena* locked = arena();
    return locked == nullptr ? 0 : figure(*locked);
}

bool secrets_wanted() noexcept
{
    return scope_depth > 0 && arena() != nullptr;
}

// CRYPTO_malloc_fn. Like OpenSSL's default, a request for 0 bytes gets nullptr. OpenSSL's own
// "secure" allocations come here too, as its secure heap is never initialised.
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
    if (LockedArena* locked = arena(); locked != nullptr && locked->contains(p)) {
        locked->release(p);
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
    LockedArena* locked = arena();
    const bool in_arena = locked != nullptr && locked->contains(p);
    const std::optional<std::size_t> old_size = in_arena ? locked->block_size(p) : ordinary_block_size(p);
    if (!old_size)
        return std::realloc(p, n);  // size unknown on this C library: see the header
    void* moved = in_arena || secrets_wanted() ? locked_block(n) : std::malloc(n);
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
    if (arena() != nullptr)
        throw SecureHeapError("the locked memory for secrets is already set up");
    if (!make_room_to_lock(size))
        throw SecureHeapError(memlock_advice(size));
    std::unique_ptr<LockedArena> made = LockedArena::create(size);
    if (made == nullptr)
        throw SecureHeapError(memlock_advice(size));
    the_arena.store(made.release(), std::memory_order_release);
}

bool secure_heap_ready() noexcept
{
    return arena() != nullptr;
}

// Four times the deepest a request was measured to reach below the dispatcher (8 KiB, an RSA signature).
constexpr std::size_t stack_wipe_size = 32 * 1024;

#if defined(__GNUC__)
__attribute__((noinline))  // its frame must lie below its caller's, over the frames of the calls made before
#endif
void wipe_stack_below() noexcept
{
    unsigned char area[stack_wipe_size];
    OPENSSL_cleanse(area, sizeof area);
}

void* secure_allocate(std::size_t n) noexcept
{
    return locked_block(n);
}

void secure_release(void* p) noexcept
{
    if (LockedArena* locked = arena(); locked != nullptr && p != nullptr)
        locked->release(p);
}

bool in_locked_memory(const void* p) noexcept
{
    const LockedArena* locked = arena();
    return locked != nullptr && locked->contains(p);
}

std::size_t secure_heap_used() noexcept
{
    return measure([](const LockedArena& locked) { return locked.used(); });
}

std::size_t secure_heap_size() noexcept
{
    return measure([](const LockedArena& locked) { return locked.maximum(); });
}

std::size_t secure_heap_locked() noexcept
{
    return measure([](const LockedArena& locked) { return locked.locked(); });
}

std::size_t secure_heap_available() noexcept
{
    return measure([](const LockedArena& locked) { return locked.available(); });
}

}  // namespace latchkey::platform
