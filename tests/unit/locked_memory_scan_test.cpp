// Searches this process's own memory for private key bytes: with agent::use_locked_memory_for_secrets
// in place, an Ed25519 seed and an RSA-2048 key's p, q and d are found only in locked mappings while
// the keys are loaded, nowhere while they are shielded or a keystore holding them is locked, and
// nowhere once the keys are freed.
//
// How the test stays honest:
// - The secrets are made straight into locked memory (RAND_priv_bytes into SecretBytes; RSA generated
//   and taken apart inside a SecretAllocationScope), so the test leaves no ordinary copy itself.
// - What it searches for (the seed, and 16-byte windows of p, q and d both big-endian, as in key
//   files and parameters, and little-endian, as in BIGNUM limbs) is kept in one SecretBytes, and the
//   chunks it reads are copied into another; only those two blocks are left out of the search.
// - The inputs given to the key makers are wiped before searching, so what is found in locked
//   memory belongs to the keys (the check that the search does find them there).
// - Every readable mapping is read through /proc/self/mem except: [vvar] and [vsyscall] (kernel
//   pages), mappings with nothing resident or swapped (they read as zeros or unchanged file
//   content), pages the kernel refuses to read, and, under AddressSanitizer, its shadow memory
//   (terabytes of reserved address space holding one metadata byte per 8 bytes, never data).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <exception>
#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "agent/keys/ed25519.hpp"
#include "agent/keys/key_factory.hpp"
#include "agent/keys/rsa.hpp"
#include "agent/keystore.hpp"
#include "agent/locked_secrets.hpp"
#include "platform/secure_memory.hpp"
#include "platform/unique_fd.hpp"
#include "protocol/numbers.hpp"
#include "tests/unit/key_test_support.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define LATCHKEY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LATCHKEY_ASAN 1
#endif
#endif
#if defined(LATCHKEY_ASAN)
#include <sanitizer/asan_interface.h>
#endif

using namespace latchkey;
using namespace latchkey::test;

namespace {

// The hooks must be in place before anything touches OpenSSL, so this runs before main (doctest's
// main does not use OpenSSL); the test cases report a failure.
const std::string locked_memory_failure = [] {
    try {
        agent::use_locked_memory_for_secrets();
        return std::string();
    } catch (const std::exception& error) {
        return std::string(error.what());
    }
}();

struct AddressRange {
    std::uintptr_t begin = 0;
    std::uintptr_t end = 0;
};

AddressRange range_of(const SecretBytes& bytes)
{
    const auto begin = reinterpret_cast<std::uintptr_t>(bytes.data());
    return {begin, begin + bytes.size()};
}

// One mapping of /proc/self/smaps, as much of it as the search needs.
struct Mapping {
    AddressRange range;
    bool readable = false;
    bool locked = false;  // VmFlags "lo"
    std::size_t resident_kib = 0;  // Rss + Swap
    std::string name;
};

bool is_mapping_header(const std::string& line)
{
    const auto dash = line.find('-');
    return dash != std::string::npos && dash > 0 && line.find(':') > line.find(' ') &&
           std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(dash),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

std::vector<Mapping> read_mappings()
{
    std::ifstream smaps("/proc/self/smaps");
    REQUIRE(smaps);
    std::vector<Mapping> mappings;
    std::string line;
    while (std::getline(smaps, line)) {
        if (is_mapping_header(line)) {
            std::istringstream fields(line);
            Mapping mapping;
            std::string addresses, permissions, offset, device, inode;
            fields >> addresses >> permissions >> offset >> device >> inode;
            std::getline(fields >> std::ws, mapping.name);
            const auto dash = addresses.find('-');
            mapping.range = {std::stoull(addresses.substr(0, dash), nullptr, 16),
                             std::stoull(addresses.substr(dash + 1), nullptr, 16)};
            mapping.readable = permissions.at(0) == 'r';
            mappings.push_back(std::move(mapping));
            continue;
        }
        REQUIRE_FALSE(mappings.empty());
        std::istringstream fields(line);
        std::string key;
        fields >> key;
        if (key == "Rss:" || key == "Swap:") {
            std::size_t kib = 0;
            fields >> kib;
            mappings.back().resident_kib += kib;
        } else if (key == "VmFlags:") {
            std::string flag;
            while (fields >> flag)
                mappings.back().locked |= flag == "lo";
        }
    }
    return mappings;
}

#if defined(LATCHKEY_ASAN)
bool is_sanitizer_shadow(const Mapping& mapping)
{
    std::size_t scale = 0;
    std::size_t offset = 0;
    __asan_get_shadow_mapping(&scale, &offset);
    const std::uintptr_t shadow_end = offset + ((std::uintptr_t{1} << 47) >> scale);
    return mapping.range.begin >= offset && mapping.range.end <= shadow_end;
}
#else
bool is_sanitizer_shadow(const Mapping&)
{
    return false;
}
#endif

bool worth_reading(const Mapping& mapping)
{
    return mapping.readable && mapping.name != "[vvar]" && mapping.name != "[vsyscall]" &&
           mapping.resident_kib != 0 && !is_sanitizer_shadow(mapping);
}

// `range` without the parts that lie in any of `excluded`.
std::vector<AddressRange> without(AddressRange range, const std::vector<AddressRange>& excluded)
{
    std::vector<AddressRange> pieces{range};
    for (const AddressRange& hole : excluded) {
        std::vector<AddressRange> kept;
        for (const AddressRange& piece : pieces) {
            if (hole.end <= piece.begin || hole.begin >= piece.end) {
                kept.push_back(piece);
                continue;
            }
            if (piece.begin < hole.begin)
                kept.push_back({piece.begin, hole.begin});
            if (hole.end < piece.end)
                kept.push_back({hole.end, piece.end});
        }
        pieces = std::move(kept);
    }
    return pieces;
}

// What the search looks for: named byte strings kept back to back in locked memory.
class Needles {
public:
    // Adds bytes[offset, offset + size) under `name`.
    void add(std::string name, std::span<const std::uint8_t> bytes)
    {
        entries_.push_back({std::move(name), bytes_.size(), bytes.size()});
        bytes_.append(bytes);
    }

    // Adds each 16-byte window of `number` (big-endian), and of its byte-reversed form.
    void add_windows(const std::string& name, const SecretBytes& number)
    {
        REQUIRE(number.size() % window == 0);
        SecretBytes reversed(number.size());
        std::reverse_copy(number.view().begin(), number.view().end(), reversed.data());
        for (std::size_t at = 0; at < number.size(); at += window) {
            add(name + " big-endian @" + std::to_string(at), number.view().subspan(at, window));
            add(name + " little-endian @" + std::to_string(at), reversed.view().subspan(at, window));
        }
    }

    std::size_t count() const { return entries_.size(); }
    const std::string& name(std::size_t i) const { return entries_[i].name; }
    std::span<const std::uint8_t> bytes(std::size_t i) const
    {
        return bytes_.view().subspan(entries_[i].offset, entries_[i].size);
    }
    std::size_t longest() const
    {
        std::size_t longest = 0;
        for (const Entry& entry : entries_)
            longest = std::max(longest, entry.size);
        return longest;
    }
    AddressRange storage() const { return range_of(bytes_); }

    static constexpr std::size_t window = 16;

private:
    struct Entry {
        std::string name;
        std::size_t offset;
        std::size_t size;
    };
    std::vector<Entry> entries_;
    SecretBytes bytes_;
};

// Where each needle was found.
struct Sightings {
    std::vector<bool> locked;
    std::vector<std::string> unlocked;  // the first unlocked place, "" if none

    explicit Sightings(std::size_t count) : locked(count, false), unlocked(count) {}
};

// Reads every mapping worth reading in chunks (into locked memory) and records where each needle is.
class MemorySearch {
public:
    explicit MemorySearch(const Needles& needles)
        : needles_(needles), overlap_(needles.longest() - 1), chunk_(chunk_size + overlap_)
    {
        memory_ = platform::UniqueFd(::open("/proc/self/mem", O_RDONLY | O_CLOEXEC));
        REQUIRE(memory_);
    }

    // Searches `mappings` (from read_mappings: taken before memory of interest is freed, the list
    // allocates nothing over it during the search).
    Sightings run(const std::vector<Mapping>& mappings)
    {
        Sightings sightings(needles_.count());
        const std::vector<AddressRange> excluded{needles_.storage(), range_of(chunk_)};
        for (const Mapping& mapping : mappings) {
            if (!worth_reading(mapping))
                continue;
            for (const AddressRange& piece : without(mapping.range, excluded))
                search_range(mapping, piece, sightings);
        }
        return sightings;
    }

private:
    static constexpr std::size_t chunk_size = 64 * 1024;
    static constexpr std::size_t page = 4096;

    void search_range(const Mapping& mapping, AddressRange range, Sightings& sightings)
    {
        std::uintptr_t at = range.begin;
        while (at < range.end) {
            const std::size_t wanted = std::min<std::size_t>(chunk_.size(), range.end - at);
            const ssize_t got = ::pread(memory_.get(), chunk_.data(), wanted, static_cast<off_t>(at));
            if (got <= 0) {
                at = (at / page + 1) * page;  // an unreadable page: go on with the next one
                continue;
            }
            const auto length = static_cast<std::size_t>(got);
            search_chunk(mapping, at, length, sightings);
            if (at + length >= range.end)
                break;
            at += length > overlap_ ? length - overlap_ : length;
        }
    }

    void search_chunk(const Mapping& mapping, std::uintptr_t address, std::size_t length, Sightings& sightings)
    {
        const std::uint8_t* begin = chunk_.data();
        const std::uint8_t* end = begin + length;
        for (std::size_t i = 0; i < needles_.count(); ++i) {
            const auto needle = needles_.bytes(i);
            const std::uint8_t* hit = std::search(begin, end, needle.begin(), needle.end());
            if (hit == end)
                continue;
            if (mapping.locked) {
                sightings.locked[i] = true;
            } else if (sightings.unlocked[i].empty()) {
                std::ostringstream place;
                place << "0x" << std::hex << address + static_cast<std::uintptr_t>(hit - begin) << " in "
                      << (mapping.name.empty() ? "an anonymous mapping" : mapping.name);
                sightings.unlocked[i] = place.str();
            }
        }
    }

    const Needles& needles_;
    std::size_t overlap_;
    SecretBytes chunk_;
    platform::UniqueFd memory_;
};

void require_locked_memory()
{
    INFO(locked_memory_failure);
    REQUIRE(locked_memory_failure.empty());
    REQUIRE(platform::openssl_allocator_installed());
    REQUIRE(platform::secure_heap_ready());
}

// Size of the blocks the allocator tests free and then inspect.
constexpr std::size_t probe_size = 256;

// True if bytes [16, probe_size) at `address` are zero, read through /proc/self/mem so that reading a
// freed block is no undefined behaviour (nor a sanitizer report). The C library and ASan may keep
// their bookkeeping in the first 16 bytes of a freed block. Allocates nothing, so that it cannot be
// handed the freed block itself.
bool wiped_after_bookkeeping(const void* address)
{
    std::array<std::uint8_t, probe_size> bytes{};
    const platform::UniqueFd memory(::open("/proc/self/mem", O_RDONLY | O_CLOEXEC));
    if (!memory || ::pread(memory.get(), bytes.data(), bytes.size(),
                           static_cast<off_t>(reinterpret_cast<std::uintptr_t>(address))) !=
                       static_cast<ssize_t>(bytes.size()))
        return false;
    return std::all_of(bytes.begin() + 16, bytes.end(), [](std::uint8_t byte) { return byte == 0; });
}

// A big-endian copy of one numeric parameter of `key`, made without an ordinary copy.
SecretBytes locked_number(const EVP_PKEY& key, const char* name, std::size_t width)
{
    const platform::SecretAllocationScope locked;
    BIGNUM* raw = nullptr;
    REQUIRE(EVP_PKEY_get_bn_param(&key, name, &raw) == 1);
    const agent::Bignum number(raw);
    SecretBytes bytes(width);
    REQUIRE(BN_bn2binpad(number.get(), bytes.data(), static_cast<int>(width)) == static_cast<int>(width));
    return bytes;
}

// The material of the keys under test, made and kept in locked memory only.
struct LockedMaterial {
    SecretBytes ed25519_seed_and_public;
    Bytes ed25519_point;
    Bytes n, e;
    SecretBytes d, iqmp, p, q;
};

LockedMaterial make_material()
{
    LockedMaterial material;
    material.ed25519_seed_and_public = SecretBytes(32);
    REQUIRE(RAND_priv_bytes(material.ed25519_seed_and_public.data(), 32) == 1);
    {
        const platform::SecretAllocationScope locked;
        const EvpPkey seeded(EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr,
                                                             material.ed25519_seed_and_public.data(), 32));
        REQUIRE(seeded);
        material.ed25519_point = Bytes(32);
        std::size_t length = 32;
        REQUIRE(EVP_PKEY_get_raw_public_key(seeded.get(), material.ed25519_point.data(), &length) == 1);
    }
    material.ed25519_seed_and_public.append(material.ed25519_point);

    const platform::SecretAllocationScope locked;
    unsigned int bits = 2048;
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_BITS, &bits),
        OSSL_PARAM_construct_end(),
    };
    const EvpPkey rsa = generate_key("RSA", params);
    material.n = number_of(*rsa, OSSL_PKEY_PARAM_RSA_N);
    material.e = number_of(*rsa, OSSL_PKEY_PARAM_RSA_E);
    material.d = locked_number(*rsa, OSSL_PKEY_PARAM_RSA_D, 256);
    material.iqmp = locked_number(*rsa, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, 128);
    material.p = locked_number(*rsa, OSSL_PKEY_PARAM_RSA_FACTOR1, 128);
    material.q = locked_number(*rsa, OSSL_PKEY_PARAM_RSA_FACTOR2, 128);
    return material;
}

Needles needles_of(const LockedMaterial& material)
{
    Needles needles;
    needles.add("Ed25519 seed", material.ed25519_seed_and_public.view().first(32));
    needles.add_windows("RSA p", material.p);
    needles.add_windows("RSA q", material.q);
    needles.add_windows("RSA d", material.d);
    return needles;
}

// Fails the test if any needle is found anywhere, locked or not; `when` names the moment.
void check_found_nowhere(const Needles& needles, const Sightings& sightings, const char* when)
{
    for (std::size_t i = 0; i < needles.count(); ++i) {
        INFO(needles.name(i) << " left behind at " << sightings.unlocked[i] << " " << when);
        CHECK(sightings.unlocked[i].empty());
        INFO(needles.name(i) << " left behind in locked memory " << when);
        CHECK_FALSE(sightings.locked[i]);
    }
}

// True if every window of `secret` (named "<secret> …") is in locked memory in at least one byte order.
bool held_locked(const Needles& needles, const Sightings& sightings, const std::string& secret)
{
    bool all = true;
    for (std::size_t i = 0; i < needles.count(); ++i) {
        const std::string& name = needles.name(i);
        if (name.rfind(secret + " big-endian @", 0) != 0)
            continue;
        const std::string twin = secret + " little-endian @" + name.substr(name.find('@') + 1);
        bool found = sightings.locked[i];
        for (std::size_t j = 0; j < needles.count(); ++j)
            found |= needles.name(j) == twin && sightings.locked[j];
        all &= found;
    }
    return all;
}

// Fails the test unless no needle is in unlocked memory and the Ed25519 seed and every window of the
// RSA numbers are in locked memory; `when` names the moment.
void check_held_locked(const Needles& needles, const Sightings& sightings, const char* when)
{
    for (std::size_t i = 0; i < needles.count(); ++i) {
        INFO(needles.name(i) << " found at " << sightings.unlocked[i] << " " << when);
        CHECK(sightings.unlocked[i].empty());
    }
    INFO("the Ed25519 seed should be held by its key in locked memory " << when);
    CHECK(sightings.locked[0]);
    for (const char* secret : {"RSA p", "RSA q", "RSA d"}) {
        INFO(std::string(secret) << " should be held by the key in locked memory " << when);
        CHECK(held_locked(needles, sightings, secret));
    }
}

// What each scan starts from: fresh key material in locked memory, and a search for its bytes.
struct KeySearch {
    LockedMaterial material = (require_locked_memory(), make_material());
    const Needles needles = needles_of(material);
    MemorySearch search{needles};
};

}  // namespace

TEST_CASE("the OpenSSL allocator and the locked heap are installed before any other OpenSSL use")
{
    require_locked_memory();
    // Installing again, after OpenSSL has allocated through the hooks, is harmless.
    CHECK_NOTHROW(platform::install_openssl_allocator());
}

TEST_CASE("OpenSSL allocations go to the locked heap inside a scope only, and freed blocks are wiped")
{
    require_locked_memory();
    constexpr std::size_t size = probe_size;
    void* ordinary = OPENSSL_malloc(size);
    REQUIRE(ordinary != nullptr);
    CHECK(!platform::in_locked_memory(ordinary));
    std::memset(ordinary, 0x5a, size);
    OPENSSL_free(ordinary);
    CHECK(wiped_after_bookkeeping(ordinary));

    const platform::SecretAllocationScope locked;
    void* secret = OPENSSL_malloc(size);
    REQUIRE(secret != nullptr);
    CHECK(platform::in_locked_memory(secret));
    {
        const platform::SecretAllocationScope nested;
        void* also_secret = OPENSSL_zalloc(16);
        CHECK(platform::in_locked_memory(also_secret));
        OPENSSL_free(also_secret);
    }
    std::memset(secret, 0xa5, size);
    void* grown = OPENSSL_realloc(secret, 4 * size);
    REQUIRE(grown != nullptr);
    CHECK(platform::in_locked_memory(grown));
    CHECK(static_cast<std::uint8_t*>(grown)[size - 1] == 0xa5);
    if (grown != secret)
        CHECK(wiped_after_bookkeeping(secret));
    CHECK(OPENSSL_realloc(grown, 0) == nullptr);  // frees
    CHECK(OPENSSL_malloc(2 * agent::default_locked_heap_size) == nullptr);  // never ordinary memory
}

TEST_CASE("a block reallocated outside a scope leaves no unwiped copy behind")
{
    require_locked_memory();
    constexpr std::size_t size = probe_size;
    auto* block = static_cast<std::uint8_t*>(OPENSSL_malloc(size));
    REQUIRE(block != nullptr);
    std::memset(block, 0x3c, size);
    auto* grown = static_cast<std::uint8_t*>(OPENSSL_realloc(block, 64 * size));
    REQUIRE(grown != nullptr);
    CHECK(grown[size - 1] == 0x3c);
    REQUIRE(grown != block);  // the hook always moves, so that it can wipe the old block
    CHECK(wiped_after_bookkeeping(block));
    OPENSSL_free(grown);
}

TEST_CASE_FIXTURE(KeySearch, "private key bytes are only in locked memory while keys are loaded, and nowhere once freed")
{
    std::vector<Mapping> mappings_after_free;
    {
        auto ed25519 = agent::make_ed25519_key(material.ed25519_point, material.ed25519_seed_and_public);
        REQUIRE(ed25519);
        auto rsa = agent::make_rsa_key(material.n, material.e, material.d, material.iqmp, material.p, material.q);
        REQUIRE(rsa);
        REQUIRE((*ed25519)->sign(text_bytes("data"), 0));
        REQUIRE((*rsa)->sign(text_bytes("data"), protocol::sign_flag_rsa_sha2_512));
        // From here on, the keys hold the only copies outside the needles.
        for (SecretBytes* input : {&material.ed25519_seed_and_public, &material.d, &material.iqmp, &material.p,
                                   &material.q})
            input->clear();

        check_held_locked(needles, search.run(read_mappings()), "while the keys are loaded");
        mappings_after_free = read_mappings();
    }

    check_found_nowhere(needles, search.run(mappings_after_free), "after the keys were freed");
}

namespace {

// An identity of the keystore built as the dispatcher builds one from an ADD request, its key kept
// clear for `keep_clear` after each use.
agent::Identity identity_of(const protocol::PrivateKey& key, std::chrono::steady_clock::duration keep_clear)
{
    auto signer = agent::make_signing_key(key);
    REQUIRE(signer);
    auto shielded = agent::ShieldedKey::make(agent::private_key_encoding(key), std::move(*signer), keep_clear);
    REQUIRE(shielded);
    return agent::Identity{.public_blob = protocol::encode_public_key(key.public_key),
                           .comment = "scan",
                           .signer = *shielded,
                           .constraints = {},
                           .encrypted_file = nullptr,
                           .shielded = *shielded,
                           .sealed = std::nullopt};
}

// The Ed25519 and RSA keys of `material` (taken from it) in a keystore, as identity_of makes them.
void add_material(agent::Keystore& keystore, LockedMaterial& material, std::chrono::steady_clock::duration keep_clear)
{
    const protocol::PrivateKey ed25519{protocol::PlainPublicKey(protocol::Ed25519PublicKey{material.ed25519_point}),
                                       protocol::Ed25519Secret{std::move(material.ed25519_seed_and_public)}};
    const protocol::PrivateKey rsa{protocol::PlainPublicKey(protocol::RsaPublicKey{material.e, material.n}),
                                   protocol::RsaSecret{std::move(material.d), std::move(material.iqmp),
                                                       std::move(material.p), std::move(material.q)}};
    keystore.add(identity_of(ed25519, keep_clear));
    keystore.add(identity_of(rsa, keep_clear));
}

void sign_with_all(const agent::Keystore& keystore)
{
    for (const agent::Identity* identity : keystore.list(agent::Clock::now())) {
        REQUIRE(identity->signer);
        CHECK(identity->signer->sign(text_bytes("data"), 0));
    }
}

}  // namespace

TEST_CASE_FIXTURE(KeySearch, "a locked keystore holds no private key byte anywhere; unlocking brings the keys back, locked")
{
    agent::Keystore keystore;
    add_material(keystore, material, std::chrono::hours(1));  // the keystore holds the only other copies
    const SecretBytes passphrase = SecretBytes::from_text("correct horse");
    REQUIRE(keystore.lock(passphrase));
    check_found_nowhere(needles, search.run(read_mappings()), "while the keystore is locked");

    REQUIRE_FALSE(keystore.unlock(SecretBytes::from_text("wrong")));
    REQUIRE(keystore.unlock(passphrase));
    check_held_locked(needles, search.run(read_mappings()), "after unlocking");
    sign_with_all(keystore);
}

TEST_CASE_FIXTURE(KeySearch, "a shielded key is nowhere in memory until it signs, and shielded again once idle")
{
    agent::Keystore keystore;
    add_material(keystore, material, std::chrono::milliseconds(0));
    CHECK_FALSE(keystore.shield_idle(agent::Clock::now()).has_value());
    check_found_nowhere(needles, search.run(read_mappings()), "while the keys are shielded");

    sign_with_all(keystore);
    check_held_locked(needles, search.run(read_mappings()), "after signing");

    CHECK_FALSE(keystore.shield_idle(agent::Clock::now()).has_value());
    check_found_nowhere(needles, search.run(read_mappings()), "once the keys are shielded again");
}
