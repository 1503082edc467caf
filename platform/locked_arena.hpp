// latchkey's locked arena: one reservation of address space for secrets, locked into RAM in chunks as
// it fills, with size-class slabs for small blocks and runs of units for large ones.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

namespace latchkey::platform {

// How the arena lays out memory:
// - create() reserves `maximum` bytes (rounded up to a whole chunk) once, with an inaccessible guard
//   page on each side, all of it excluded from core dumps; nothing is readable or locked yet.
// - Memory is committed and locked (mlock / VirtualLock) a chunk (64 KiB) at a time, from the start of
//   the reservation, as blocks are needed: the process's locked memory grows with what it holds.
//   Chunks stay committed and locked once used, until the arena is destroyed; freed memory is reused.
// - The arena is carved into units of 4 KiB. A unit is either a slab of one size class (16 to 4096
//   bytes), or part of a run of units holding one large block, or free. A table with one entry per
//   unit says which, so that every block's size is known from its address alone and a free wipes
//   exactly the block. Each slab keeps its own free list; a class keeps a list of its slabs that have
//   room; a slab whose last block is freed goes back to the free units at once, as does a freed run.
// - Each size class has its own mutex; the units (runs, and slabs coming and going) share one mutex,
//   taken after a class's mutex, never before. Whether an address is in the arena is a range check, without a lock.
// Thread-safe. Blocks are aligned to 16 bytes.
class LockedArena {
public:
    // Bytes locked at a time as the arena grows; the first chunk is locked by create().
    static constexpr std::size_t chunk_bytes = 64 * 1024;
    // The largest block a size class serves; larger blocks take whole units.
    static constexpr std::size_t largest_class_bytes = 4096;

    // Reserves room for `maximum` bytes and locks the first chunk. Returns nullptr if the address space
    // cannot be reserved or the first chunk cannot be committed and locked. Does not check the
    // process's locking limit: the caller does that first (make_room_to_lock).
    static std::unique_ptr<LockedArena> create(std::size_t maximum) noexcept;

    // Unlocks and returns the whole reservation, after wiping what was committed. Blocks still
    // handed out become invalid.
    ~LockedArena();
    LockedArena(const LockedArena&) = delete;
    LockedArena& operator=(const LockedArena&) = delete;

    // A block of at least n bytes (n > 0), or nullptr when the arena cannot hold it: its maximum is
    // reached, or the OS refused to commit or lock another chunk. Never returns ordinary memory.
    void* allocate(std::size_t n) noexcept;

    // Wipes and returns a block from allocate(). p must be such a block, or nullptr (ignored).
    void release(void* p) noexcept;

    // True if p lies in this arena's reservation. Lock-free; cannot fail.
    bool contains(const void* p) const noexcept
    {
        const auto address = reinterpret_cast<std::uintptr_t>(p);
        return address >= base_ && address < base_ + maximum_;
    }

    // The usable size of block p (a block from allocate()), or nullopt if p is not one. Lock-free.
    std::optional<std::size_t> block_size(const void* p) const noexcept;

    // Bytes in blocks handed out (each counted at its class's or run's size), committed and locked,
    // and the maximum. Cannot fail.
    std::size_t used() const noexcept;
    // Bytes in units that no slab or run holds (committed or not): room for a block of any size, and
    // so a lower bound of what can still be allocated. Cannot fail.
    std::size_t available() const noexcept;
    std::size_t locked() const noexcept { return committed_units_.load(std::memory_order_acquire) * unit_bytes; }
    std::size_t maximum() const noexcept { return maximum_; }

private:
    static constexpr std::size_t unit_bytes = 4096;
    static constexpr std::size_t class_count = 28;

    static constexpr std::uint32_t no_unit = 0xffff'ffffu;

    // One size class: the slabs with room (a list linked through Slab::next/previous) and the number
    // of its blocks handed out. Aligned so that classes used by different threads share no cache line.
    struct alignas(64) SizeClass {
        std::mutex mutex;
        std::uint32_t slabs_with_room = no_unit;
        std::size_t blocks_in_use = 0;
    };

    // The bookkeeping of a unit used as a slab, under its class's mutex: freed blocks (linked through
    // their first bytes), blocks never handed out yet (from `carved` on), and its place in the list of
    // slabs with room.
    struct Slab {
        void* free_list = nullptr;
        std::uint32_t next = no_unit;
        std::uint32_t previous = no_unit;
        std::uint16_t in_use = 0;
        std::uint16_t carved = 0;
    };

    LockedArena(std::uintptr_t reservation, std::size_t reservation_bytes, std::size_t guard_bytes,
                std::size_t maximum) noexcept;

    void* allocate_small(std::size_t class_index) noexcept;
    void release_small(void* p, std::size_t class_index) noexcept;
    void link_slab(SizeClass& size_class, std::uint32_t unit) noexcept;
    void unlink_slab(SizeClass& size_class, std::uint32_t unit) noexcept;
    void* allocate_run(std::size_t units) noexcept;
    void release_run(std::size_t first_unit, std::size_t units) noexcept;
    // With pages_mutex_ held: the first unit of `units` free units in a row, committing more chunks
    // if the free units at the end are too few; nullopt when the maximum or the OS says no.
    std::optional<std::size_t> find_free_units(std::size_t units) noexcept;
    std::size_t unit_of(const void* p) const noexcept
    {
        return (reinterpret_cast<std::uintptr_t>(p) - base_) / unit_bytes;
    }

    const std::uintptr_t reservation_;
    const std::size_t reservation_bytes_;
    const std::uintptr_t base_;
    const std::size_t maximum_;
    const std::size_t unit_count_;
    // Per unit: 0 free (or not committed), 1 + class index for a slab unit, run_start | length for the
    // first unit of a large run, run_part for its other units.
    std::unique_ptr<std::atomic<std::uint32_t>[]> unit_kinds_;
    std::unique_ptr<Slab[]> slabs_;
    std::atomic<std::size_t> committed_units_{0};
    mutable std::mutex pages_mutex_;
    std::size_t units_in_runs_ = 0;   // under pages_mutex_
    std::size_t units_in_slabs_ = 0;  // under pages_mutex_
    mutable std::array<SizeClass, class_count> classes_;
};

}  // namespace latchkey::platform
