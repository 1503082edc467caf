// SecretBytes: the one container for private key material and passphrases — locked heap, wiped on free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string_view>
#include <vector>

namespace latchkey {

// Overwrites n bytes at p with zeros in a way the compiler may not elide.
void secure_wipe(void* p, std::size_t n) noexcept;

// Compares two byte ranges in time that depends only on their lengths.
bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

// Where SecretBytes gets its memory. The daemon installs a locked, non-dumpable heap at start-up
// (platform/secure_memory); until then blocks come from the ordinary heap, still wiped on release.
struct SecretHeap {
    // Returns a block of n bytes or throws SecretHeapExhausted; never returns unlocked memory
    // once a locked heap is installed.
    void* (*allocate)(std::size_t n);
    // Returns a block (already wiped by the caller) to the heap.
    void (*release)(void* p, std::size_t n) noexcept;
};

// Installs the heap that every later SecretBytes allocation uses. Call once, before any secret arrives.
void install_secret_heap(SecretHeap heap) noexcept;

// Thrown when the locked heap has no room: the operation that needed it is refused, nothing falls
// back to ordinary memory.
class SecretHeapExhausted : public std::bad_alloc {
public:
    const char* what() const noexcept override;
};

// The allocator behind SecretBytes: every block is wiped before it is released, including the
// blocks a reallocation leaves behind.
template <class T>
struct SecretAllocator {
    using value_type = T;
    SecretAllocator() noexcept = default;
    template <class U>
    SecretAllocator(const SecretAllocator<U>&) noexcept
    {
    }
    T* allocate(std::size_t n);
    void deallocate(T* p, std::size_t n) noexcept;
    template <class U>
    bool operator==(const SecretAllocator<U>&) const noexcept
    {
        return true;
    }
};

void* secret_allocate(std::size_t n);
void secret_release(void* p, std::size_t n) noexcept;

template <class T>
T* SecretAllocator<T>::allocate(std::size_t n)
{
    return static_cast<T*>(secret_allocate(n * sizeof(T)));
}

template <class T>
void SecretAllocator<T>::deallocate(T* p, std::size_t n) noexcept
{
    secret_release(p, n * sizeof(T));
}

// Bytes that must never be printed, swapped or left behind. Equality is constant-time.
// Deliberately has no stream or fmt formatter.
class SecretBytes {
public:
    SecretBytes() = default;
    explicit SecretBytes(std::span<const std::uint8_t> bytes) : bytes_(bytes.begin(), bytes.end()) {}
    explicit SecretBytes(std::size_t size) : bytes_(size) {}
    static SecretBytes from_text(std::string_view text);

    std::uint8_t* data() noexcept { return bytes_.data(); }
    const std::uint8_t* data() const noexcept { return bytes_.data(); }
    std::size_t size() const noexcept { return bytes_.size(); }
    bool empty() const noexcept { return bytes_.empty(); }
    std::span<const std::uint8_t> view() const noexcept { return bytes_; }
    std::span<std::uint8_t> view() noexcept { return bytes_; }
    std::uint8_t& operator[](std::size_t i) { return bytes_[i]; }
    std::uint8_t operator[](std::size_t i) const { return bytes_[i]; }

    void append(std::span<const std::uint8_t> bytes) { bytes_.insert(bytes_.end(), bytes.begin(), bytes.end()); }
    void push_back(std::uint8_t byte) { bytes_.push_back(byte); }
    void resize(std::size_t size) { bytes_.resize(size); }
    void reserve(std::size_t size) { bytes_.reserve(size); }
    void clear() noexcept;

    friend bool operator==(const SecretBytes& a, const SecretBytes& b) noexcept
    {
        return constant_time_equal(a.view(), b.view());
    }

private:
    std::vector<std::uint8_t, SecretAllocator<std::uint8_t>> bytes_;
};

}  // namespace latchkey
