// The locked arena: reservation, chunked locking, size classes and page runs (see locked_arena.hpp).
#include "platform/locked_arena.hpp"

#include <openssl/crypto.h>

#include <bit>
#include <new>

#include "platform/memory_lock.hpp"

namespace latchkey::platform {

namespace {

constexpr std::size_t unit_size = 4096;
constexpr std::uint32_t run_start = 0x8000'0000u;
constexpr std::uint32_t run_part = 0x4000'0000u;

// Size classes: 16-byte steps up to 128, then four classes per doubling up to 4096 (160, 192, 224,
// 256, 320, …, 3584, 4096), so that a block wastes less than a fifth of itself (but see the skipped
// classes below: 2049 to 3584 bytes take a 3584-byte block).
constexpr std::size_t small_steps = 8;

constexpr std::size_t class_index(std::size_t n) noexcept
{
    if (n <= small_steps * 16)
        return (n + 15) / 16 - 1;
    const std::size_t s = n - 1;
    const auto width = static_cast<std::size_t>(std::bit_width(s));
    return small_steps + (width - 8) * 4 + ((s >> (width - 3)) - 4);
}

constexpr std::size_t class_size(std::size_t index) noexcept
{
    if (index < small_steps)
        return (index + 1) * 16;
    const std::size_t group = (index - small_steps) / 4;
    const std::size_t step = (index - small_steps) % 4;
    return (5 + step) << (group + 5);
}

// A slab is one unit; the classes that would waste more than 1/8 of it (1536, 2560 and 3072) are
// skipped, their blocks served by the next class.
constexpr bool wasteful(std::size_t index) noexcept
{
    return (unit_size % class_size(index)) * 8 > unit_size;
}

constexpr std::size_t served_class(std::size_t n) noexcept
{
    std::size_t index = class_index(n);
    while (wasteful(index))
        ++index;
    return index;
}

static_assert(class_size(served_class(1500)) == 1792 && class_size(served_class(2100)) == 3584);
static_assert(class_size(class_index(16)) == 16 && class_index(128) == 7 && class_size(class_index(129)) == 160);
static_assert(class_size(class_index(4096)) == 4096 && class_index(4096) == 27);

std::size_t round_up(std::size_t n, std::size_t multiple) noexcept
{
    return (n + multiple - 1) / multiple * multiple;
}

}  // namespace

std::unique_ptr<LockedArena> LockedArena::create(std::size_t maximum) noexcept
{
    static_assert(unit_bytes == unit_size && class_index(largest_class_bytes) < class_count);
    const std::size_t page = page_size();
    if (chunk_bytes % page != 0 || maximum == 0 || maximum > (std::size_t{1} << 40))
        return nullptr;
    maximum = round_up(maximum, chunk_bytes);
    const std::size_t reservation_bytes = maximum + 2 * page;
    void* reservation = reserve_address_space(reservation_bytes);
    if (reservation == nullptr)
        return nullptr;
    const auto address = reinterpret_cast<std::uintptr_t>(reservation);
    std::unique_ptr<LockedArena> arena(new (std::nothrow) LockedArena(address, reservation_bytes, page, maximum));
    if (arena == nullptr || arena->unit_kinds_ == nullptr || arena->slabs_ == nullptr) {
        release_address_space(reservation, reservation_bytes);
        return nullptr;
    }
    if (!commit_locked(reinterpret_cast<void*>(arena->base_), chunk_bytes))
        return nullptr;  // the destructor returns the reservation
    arena->committed_units_.store(chunk_bytes / unit_bytes, std::memory_order_release);
    return arena;
}

LockedArena::LockedArena(std::uintptr_t reservation, std::size_t reservation_bytes, std::size_t guard_bytes,
                         std::size_t maximum) noexcept
    : reservation_(reservation),
      reservation_bytes_(reservation_bytes),
      base_(reservation + guard_bytes),
      maximum_(maximum),
      unit_count_(maximum / unit_bytes),
      unit_kinds_(new (std::nothrow) std::atomic<std::uint32_t>[maximum / unit_bytes]()),
      slabs_(new (std::nothrow) Slab[maximum / unit_bytes])
{
}

LockedArena::~LockedArena()
{
    OPENSSL_cleanse(reinterpret_cast<void*>(base_), locked());
    release_address_space(reinterpret_cast<void*>(reservation_), reservation_bytes_);
}

void* LockedArena::allocate(std::size_t n) noexcept
{
    if (n == 0 || n > maximum_)
        return nullptr;
    if (n <= largest_class_bytes)
        return allocate_small(served_class(n));
    return allocate_run((n + unit_bytes - 1) / unit_bytes);
}

void* LockedArena::allocate_small(std::size_t index) noexcept
{
    SizeClass& size_class = classes_[index];
    const std::size_t size = class_size(index);
    const std::lock_guard lock(size_class.mutex);
    if (size_class.slabs_with_room == no_unit) {
        std::optional<std::size_t> unit;
        {
            const std::lock_guard pages(pages_mutex_);
            unit = find_free_units(1);
            if (!unit)
                return nullptr;
            unit_kinds_[*unit].store(static_cast<std::uint32_t>(1 + index), std::memory_order_release);
            ++units_in_slabs_;
        }
        slabs_[*unit] = Slab{};
        link_slab(size_class, static_cast<std::uint32_t>(*unit));
    }
    const std::uint32_t unit = size_class.slabs_with_room;
    Slab& slab = slabs_[unit];
    void* block = slab.free_list;
    if (block != nullptr) {
        slab.free_list = *static_cast<void**>(block);
        *static_cast<void**>(block) = nullptr;
    } else {
        block = reinterpret_cast<void*>(base_ + unit * unit_bytes + slab.carved * size);
        ++slab.carved;
    }
    ++slab.in_use;
    if (slab.free_list == nullptr && slab.carved == unit_bytes / size)
        unlink_slab(size_class, unit);
    ++size_class.blocks_in_use;
    return block;
}

void LockedArena::release_small(void* p, std::size_t index) noexcept
{
    const std::size_t size = class_size(index);
    OPENSSL_cleanse(p, size);
    SizeClass& size_class = classes_[index];
    const auto unit = static_cast<std::uint32_t>(unit_of(p));
    const std::lock_guard lock(size_class.mutex);
    --size_class.blocks_in_use;
    Slab& slab = slabs_[unit];
    if (--slab.in_use == 0) {
        // The last block of the slab: the unit goes back to the free units (already wiped block by block).
        if (slab.free_list != nullptr || slab.carved < unit_bytes / size)
            unlink_slab(size_class, unit);
        const std::lock_guard pages(pages_mutex_);
        unit_kinds_[unit].store(0, std::memory_order_relaxed);
        --units_in_slabs_;
        return;
    }
    const bool was_full = slab.free_list == nullptr && slab.carved == unit_bytes / size;
    *static_cast<void**>(p) = slab.free_list;
    slab.free_list = p;
    if (was_full)
        link_slab(size_class, unit);
}

void LockedArena::link_slab(SizeClass& size_class, std::uint32_t unit) noexcept
{
    Slab& slab = slabs_[unit];
    slab.previous = no_unit;
    slab.next = size_class.slabs_with_room;
    if (slab.next != no_unit)
        slabs_[slab.next].previous = unit;
    size_class.slabs_with_room = unit;
}

void LockedArena::unlink_slab(SizeClass& size_class, std::uint32_t unit) noexcept
{
    Slab& slab = slabs_[unit];
    if (slab.previous != no_unit)
        slabs_[slab.previous].next = slab.next;
    else
        size_class.slabs_with_room = slab.next;
    if (slab.next != no_unit)
        slabs_[slab.next].previous = slab.previous;
    slab.next = slab.previous = no_unit;
}

void* LockedArena::allocate_run(std::size_t units) noexcept
{
    const std::lock_guard pages(pages_mutex_);
    const std::optional<std::size_t> first = find_free_units(units);
    if (!first)
        return nullptr;
    for (std::size_t unit = *first + 1; unit < *first + units; ++unit)
        unit_kinds_[unit].store(run_part, std::memory_order_relaxed);
    unit_kinds_[*first].store(run_start | static_cast<std::uint32_t>(units), std::memory_order_release);
    units_in_runs_ += units;
    return reinterpret_cast<void*>(base_ + *first * unit_bytes);
}

std::optional<std::size_t> LockedArena::find_free_units(std::size_t units) noexcept
{
    const std::size_t committed = committed_units_.load(std::memory_order_relaxed);
    std::size_t free_in_a_row = 0;
    for (std::size_t unit = 0; unit < committed; ++unit) {
        free_in_a_row = unit_kinds_[unit].load(std::memory_order_relaxed) == 0 ? free_in_a_row + 1 : 0;
        if (free_in_a_row == units)
            return unit + 1 - units;
    }
    // Not enough free units in a row: commit chunks after the free units at the end.
    const std::size_t grow_units = round_up((units - free_in_a_row) * unit_bytes, chunk_bytes) / unit_bytes;
    if (grow_units > unit_count_ - committed ||
        !commit_locked(reinterpret_cast<void*>(base_ + committed * unit_bytes), grow_units * unit_bytes))
        return std::nullopt;
    committed_units_.store(committed + grow_units, std::memory_order_release);
    return committed - free_in_a_row;
}

void LockedArena::release(void* p) noexcept
{
    if (p == nullptr)
        return;
    const std::size_t unit = unit_of(p);
    const std::uint32_t kind = unit_kinds_[unit].load(std::memory_order_acquire);
    if ((kind & run_start) != 0) {
        release_run(unit, kind & ~run_start);
        return;
    }
    release_small(p, kind - 1);
}

void LockedArena::release_run(std::size_t first_unit, std::size_t units) noexcept
{
    OPENSSL_cleanse(reinterpret_cast<void*>(base_ + first_unit * unit_bytes), units * unit_bytes);
    const std::lock_guard pages(pages_mutex_);
    for (std::size_t unit = first_unit; unit < first_unit + units; ++unit)
        unit_kinds_[unit].store(0, std::memory_order_relaxed);
    units_in_runs_ -= units;
}

std::optional<std::size_t> LockedArena::block_size(const void* p) const noexcept
{
    if (!contains(p))
        return std::nullopt;
    const std::uint32_t kind = unit_kinds_[unit_of(p)].load(std::memory_order_acquire);
    if ((kind & run_start) != 0)
        return (kind & ~run_start) * unit_bytes;
    if (kind == 0 || kind == run_part)
        return std::nullopt;
    return class_size(kind - 1);
}

std::size_t LockedArena::used() const noexcept
{
    std::size_t bytes = 0;
    for (std::size_t index = 0; index < class_count; ++index) {
        const std::lock_guard lock(classes_[index].mutex);
        bytes += classes_[index].blocks_in_use * class_size(index);
    }
    const std::lock_guard pages(pages_mutex_);
    return bytes + units_in_runs_ * unit_bytes;
}

std::size_t LockedArena::available() const noexcept
{
    const std::lock_guard pages(pages_mutex_);
    return (unit_count_ - units_in_runs_ - units_in_slabs_) * unit_bytes;
}

}  // namespace latchkey::platform
