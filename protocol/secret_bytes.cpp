// Wiping, constant-time comparison and the replaceable heap behind SecretBytes.
#include "protocol/secret_bytes.hpp"

#include <atomic>
#include <cstring>

namespace latchkey {

namespace {

// Calling memset through a volatile pointer keeps the compiler from removing a wipe of memory
// that is about to be freed.
void* (*const volatile wipe_memset)(void*, int, std::size_t) = std::memset;

void* ordinary_allocate(std::size_t n)
{
    return ::operator new(n);
}

void ordinary_release(void* p, std::size_t) noexcept
{
    ::operator delete(p);
}

std::atomic<void* (*)(std::size_t)> heap_allocate{ordinary_allocate};
std::atomic<void (*)(void*, std::size_t) noexcept> heap_release{ordinary_release};

}  // namespace

void secure_wipe(void* p, std::size_t n) noexcept
{
    if (p != nullptr && n != 0)
        wipe_memset(p, 0, n);
}

bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept
{
    if (a.size() != b.size())
        return false;
    std::uint8_t difference = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        difference |= static_cast<std::uint8_t>(a[i] ^ b[i]);
    return difference == 0;
}

void install_secret_heap(SecretHeap heap) noexcept
{
    heap_allocate.store(heap.allocate);
    heap_release.store(heap.release);
}

const char* SecretHeapExhausted::what() const noexcept
{
    return "the locked memory for secrets is full";
}

void* secret_allocate(std::size_t n)
{
    return heap_allocate.load()(n);
}

void secret_release(void* p, std::size_t n) noexcept
{
    secure_wipe(p, n);
    heap_release.load()(p, n);
}

SecretBytes SecretBytes::from_text(std::string_view text)
{
    SecretBytes bytes(text.size());
    if (!text.empty())
        std::memcpy(bytes.data(), text.data(), text.size());
    return bytes;
}

void SecretBytes::clear() noexcept
{
    secure_wipe(bytes_.data(), bytes_.size());
    bytes_.clear();
}

}  // namespace latchkey
