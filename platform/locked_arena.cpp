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
// 256, 320, …, 3584, 4096), so that a block wastes less than a fifth of itself.
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

// Units in one slab of a class: the fewest (up to 8) that waste at most 1/16 of the slab.
constexpr std::size_t slab_units(std::size_t size) noexcept
{
    for (std::size_t units = 1; units < 8; ++units)
        if ((units * unit_size % size) * 16 <= units * unit_size)
            return units;
    return 8;
}

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
    if (arena == nullptr || arena->unit_kinds_ == nullptr) {
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
      unit_kinds_(new (std::nothrow) std::atomic<std::uint32_t>[maximum / unit_bytes]())
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
        return allocate_small(class_index(n));
    return allocate_run((n + unit_bytes - 1) / unit_bytes);
}

void* LockedArena::allocate_small(std::size_t index) noexcept
{
    SizeClass& size_class = classes_[index];
    const std::lock_guard lock(size_class.mutex);
    if (size_class.free_list == nullptr) {
        const std::size_t size = class_size(index);
        const std::size_t units = slab_units(size);
        std::optional<std::size_t> first;
        {
            const std::lock_guard pages(pages_mutex_);
            first = find_free_units(units);
            if (!first)
                return nullptr;
            for (std::size_t unit = *first; unit < *first + units; ++unit)
                unit_kinds_[unit].store(static_cast<std::uint32_t>(1 + index), std::memory_order_release);
        }
        // Link the new slab's blocks in address order, the last one pointing at nothing.
        const std::uintptr_t slab = base_ + *first * unit_bytes;
        const std::size_t blocks = units * unit_bytes / size;
        void* next = nullptr;
        for (std::size_t i = blocks; i-- > 0;) {
            void* block = reinterpret_cast<void*>(slab + i * size);
            *static_cast<void**>(block) = next;
            next = block;
        }
        size_class.free_list = next;
    }
    void* block = size_class.free_list;
    size_class.free_list = *static_cast<void**>(block);
    *static_cast<void**>(block) = nullptr;
    ++size_class.blocks_in_use;
    return block;
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
    const std::size_t index = kind - 1;
    OPENSSL_cleanse(p, class_size(index));
    SizeClass& size_class = classes_[index];
    const std::lock_guard lock(size_class.mutex);
    *static_cast<void**>(p) = size_class.free_list;
    size_class.free_list = p;
    --size_class.blocks_in_use;
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

}  // namespace latchkey::platform
