// Tests of platform/locked_arena: blocks at size-class boundaries, wiping on release, a full arena,
// locked memory growing by chunks, and many threads allocating at once.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "platform/locked_arena.hpp"

using latchkey::platform::LockedArena;

namespace {

std::unique_ptr<LockedArena> make_arena(std::size_t maximum)
{
    auto arena = LockedArena::create(maximum);
    REQUIRE(arena != nullptr);
    return arena;
}

// True if bytes [from, to) at p are all zero.
bool zero(const void* p, std::size_t from, std::size_t to)
{
    const auto* bytes = static_cast<const std::uint8_t*>(p);
    return std::all_of(bytes + from, bytes + to, [](std::uint8_t byte) { return byte == 0; });
}

}  // namespace

TEST_CASE("blocks at size-class boundaries are inside the arena, aligned, and at least as large as asked")
{
    const auto arena = make_arena(1024 * 1024);
    CHECK(arena->maximum() == 1024 * 1024);
    CHECK(arena->locked() == LockedArena::chunk_bytes);
    CHECK(arena->used() == 0);
    for (std::size_t n : {1, 15, 16, 17, 128, 129, 160, 161, 256, 257, 1024, 1025, 3584, 3585, 4095, 4096, 4097,
                          8192, 8193, 100000}) {
        CAPTURE(n);
        void* p = arena->allocate(n);
        REQUIRE(p != nullptr);
        CHECK(arena->contains(p));
        CHECK(reinterpret_cast<std::uintptr_t>(p) % 16 == 0);
        const auto size = arena->block_size(p);
        REQUIRE(size);
        CHECK(*size >= n);
        CHECK(*size < n + std::max<std::size_t>(16, n / 4) + (n > LockedArena::largest_class_bytes ? 4096 : 0));
        CHECK(arena->used() == *size);
        std::memset(p, 0x5a, n);
        arena->release(p);
        CHECK(arena->used() == 0);
    }
    int ordinary = 0;
    CHECK_FALSE(arena->contains(&ordinary));
    CHECK_FALSE(arena->block_size(&ordinary));
    CHECK(arena->allocate(0) == nullptr);
}

TEST_CASE("a released block is wiped: all of it for a large run, all but the free-list link for a small one")
{
    const auto arena = make_arena(256 * 1024);
    for (std::size_t n : {16, 100, 4096, 20000}) {
        CAPTURE(n);
        void* p = arena->allocate(n);
        REQUIRE(p != nullptr);
        const std::size_t size = *arena->block_size(p);
        std::memset(p, 0xa5, size);
        arena->release(p);
        // The arena's memory stays mapped and locked, so the freed block can still be read.
        const std::size_t link = n > LockedArena::largest_class_bytes ? 0 : sizeof(void*);
        CHECK(zero(p, link, size));
    }
}

TEST_CASE("a full arena returns nullptr, never other memory, and takes blocks again once some are freed")
{
    const std::size_t maximum = 128 * 1024;
    const auto arena = make_arena(maximum);
    CHECK(arena->available() == maximum);
    std::vector<void*> blocks;
    while (void* p = arena->allocate(4096)) {
        CHECK(arena->contains(p));
        blocks.push_back(p);
        REQUIRE(blocks.size() <= maximum / 4096);
    }
    CHECK(blocks.size() == maximum / 4096);
    CHECK(arena->locked() == maximum);
    CHECK(arena->used() == maximum);
    CHECK(arena->available() == 0);
    CHECK(arena->allocate(16) == nullptr);     // no unit left for a slab of a new class
    CHECK(arena->allocate(8192) == nullptr);   // nor for a run
    CHECK(arena->allocate(maximum + 1) == nullptr);
    arena->release(blocks.back());
    blocks.pop_back();
    void* again = arena->allocate(4096);
    CHECK(again != nullptr);
    blocks.push_back(again);
    for (void* p : blocks)
        arena->release(p);
    CHECK(arena->used() == 0);
    // Empty slabs go back to the free units: a block as large as the whole arena fits now.
    CHECK(arena->available() == maximum);
    void* everything = arena->allocate(maximum);
    CHECK(everything != nullptr);
    arena->release(everything);
}

TEST_CASE("a slab returns to the free units with its last block, whatever order its blocks are freed in")
{
    const std::size_t maximum = 128 * 1024;
    const auto arena = make_arena(maximum);
    std::vector<void*> blocks;
    for (int i = 0; i < 3 * 4096 / 64; ++i)  // three slabs of 64-byte blocks
        blocks.push_back(arena->allocate(64));
    CHECK(arena->available() == maximum - 3 * 4096);
    for (std::size_t i = 0; i < blocks.size(); i += 2)  // every other block: no slab is empty yet
        arena->release(blocks[i]);
    CHECK(arena->available() == maximum - 3 * 4096);
    for (std::size_t i = 0; i < blocks.size() / 2; i += 2)  // refilled from the holes, not new slabs
        blocks[i] = arena->allocate(64);
    CHECK(arena->available() == maximum - 3 * 4096);
    for (std::size_t i = 0; i < blocks.size(); ++i)
        if (i % 2 == 1 || i < blocks.size() / 2)
            arena->release(blocks[i]);
    CHECK(arena->used() == 0);
    CHECK(arena->available() == maximum);
}

TEST_CASE("freed runs are found again, next to each other")
{
    const std::size_t maximum = 256 * 1024;
    const auto arena = make_arena(maximum);
    void* first = arena->allocate(maximum / 2);
    void* second = arena->allocate(maximum / 2);
    REQUIRE(first != nullptr);
    REQUIRE(second != nullptr);
    CHECK(arena->allocate(8192) == nullptr);
    CHECK(arena->available() == 0);
    arena->release(first);
    arena->release(second);
    CHECK(arena->available() == maximum);
    void* everything = arena->allocate(maximum);
    CHECK(everything != nullptr);
    CHECK(arena->used() == maximum);
    arena->release(everything);
}

TEST_CASE("the locked part grows a chunk at a time as blocks are needed, and only then")
{
    const auto arena = make_arena(1024 * 1024);
    CHECK(arena->locked() == LockedArena::chunk_bytes);
    std::vector<void*> blocks;
    for (int i = 0; i < 8; ++i) {
        blocks.push_back(arena->allocate(8 * 1024));
        REQUIRE(blocks.back() != nullptr);
    }
    CHECK(arena->locked() == LockedArena::chunk_bytes);  // 64 KiB of runs fit the first chunk
    blocks.push_back(arena->allocate(16));
    REQUIRE(blocks.back() != nullptr);
    CHECK(arena->locked() == 2 * LockedArena::chunk_bytes);
    void* big = arena->allocate(200 * 1024);
    REQUIRE(big != nullptr);
    // 17 units were in use before; the run may start in the free units at the end of the second chunk.
    CHECK(arena->locked() >= 17 * 4096 + 200 * 1024);
    CHECK(arena->locked() < 17 * 4096 + 200 * 1024 + LockedArena::chunk_bytes);
    CHECK(arena->locked() % LockedArena::chunk_bytes == 0);
    arena->release(big);
    for (void* p : blocks)
        arena->release(p);
}

TEST_CASE("threads allocating and freeing at once get blocks of their own")
{
    const auto arena = make_arena(4 * 1024 * 1024);
    constexpr int thread_count = 4;
    std::vector<std::thread> threads;
    std::vector<int> failures(thread_count, 0);
    for (int t = 0; t < thread_count; ++t) {
        threads.emplace_back([&arena, &failures, t] {
            std::vector<std::pair<std::uint8_t*, std::size_t>> held;
            for (int i = 0; i < 20000; ++i) {
                const std::size_t n = 1 + static_cast<std::size_t>((i * 7919 + t * 104729) % 6000);
                auto* p = static_cast<std::uint8_t*>(arena->allocate(n));
                if (p == nullptr) {
                    ++failures[t];
                    continue;
                }
                std::memset(p, t + 1, n);
                held.emplace_back(p, n);
                if (held.size() > 32 || i % 3 == 0) {
                    auto [block, size] = held.front();
                    held.erase(held.begin());
                    failures[t] += std::count(block, block + size, t + 1) != static_cast<std::ptrdiff_t>(size);
                    arena->release(block);
                }
            }
            for (auto [block, size] : held) {
                failures[t] += std::count(block, block + size, t + 1) != static_cast<std::ptrdiff_t>(size);
                arena->release(block);
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();
    for (int t = 0; t < thread_count; ++t)
        CHECK(failures[t] == 0);
    CHECK(arena->used() == 0);
}
