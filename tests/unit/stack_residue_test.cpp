// The dispatcher leaves no copy of a key's private numbers in the dead stack frames below it: keys are added,
// shielded and sign (so each is rebuilt for its signature), on a thread of their own as on latchkeyd's worker
// pool, and that thread's stack below the dispatcher's caller is then searched for every 16-byte window of
// each key's secret numbers, in both byte orders (as memscan.py searches a whole process).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "agent/dispatcher.hpp"
#include "tests/support/openssh_private_key.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;

namespace {

constexpr std::size_t window = 16;
constexpr std::size_t searched = 64 * 1024;  // below the caller's frame

struct Needle {
    std::string what;
    std::vector<std::uint8_t> bytes;
};

void add_windows(std::vector<Needle>& needles, const std::string& what, protocol::ByteView number)
{
    std::vector<std::uint8_t> forward(number.begin(), number.end());
    std::vector<std::uint8_t> reversed(forward.rbegin(), forward.rend());
    for (const auto* bytes : {&forward, &reversed})
        for (std::size_t at = 0; at + window <= bytes->size(); at += window / 2)
            needles.push_back({what, std::vector<std::uint8_t>(bytes->begin() + at, bytes->begin() + at + window)});
}

// The secret numbers of the test key `name` (tests/data/keys), as windows.
void add_key_windows(std::vector<Needle>& needles, const std::string& name)
{
    protocol::PrivateKey key = test::private_key_from_file(test::data_dir / "keys" / name);
    std::visit(
        [&](const auto& secret) {
            using S = std::decay_t<decltype(secret)>;
            if constexpr (std::is_same_v<S, protocol::Ed25519Secret>)
                add_windows(needles, name + " seed", secret.seed_and_public.view().first(32));
            else if constexpr (std::is_same_v<S, protocol::EcdsaSecret>)
                add_windows(needles, name + " scalar", secret.scalar.view());
            else if constexpr (std::is_same_v<S, protocol::RsaSecret>) {
                add_windows(needles, name + " d", secret.d.view());
                add_windows(needles, name + " p", secret.p.view());
                add_windows(needles, name + " q", secret.q.view());
            } else if constexpr (std::is_same_v<S, protocol::DsaSecret>)
                add_windows(needles, name + " x", secret.x.view());
        },
        key.secret);
}

// What of `needles` lies in the `searched` bytes of this thread's stack below the caller's frame. Reads byte by
// byte, calling nothing, so that no frame of its own lands on what it reads.
#if defined(__clang__) || defined(__GNUC__)
__attribute__((noinline, no_sanitize("address")))
#endif
std::vector<std::string> found_below(const std::vector<Needle>& needles, std::vector<std::uint8_t>& stack)
{
    const auto* top = static_cast<const volatile std::uint8_t*>(__builtin_frame_address(0));
    for (std::size_t i = 0; i < searched; ++i)
        stack[i] = top[static_cast<std::ptrdiff_t>(i) - static_cast<std::ptrdiff_t>(searched)];
    std::vector<std::string> found;
    for (const Needle& needle : needles)
        if (std::search(stack.begin(), stack.end(), needle.bytes.begin(), needle.bytes.end()) != stack.end())
            found.push_back(needle.what);
    return found;
}

}  // namespace

TEST_CASE("adding, and signing with a key rebuilt from its shield, leave no window of a key's private numbers in the stack below the dispatcher")
{
    const std::vector<std::string> names = {"ed25519", "ecdsa-256", "rsa-2048", "rsa-4096", "dsa-1024"};
    std::vector<Needle> needles;
    for (const std::string& name : names)
        add_key_windows(needles, name);
    REQUIRE(needles.size() > 100);

    std::vector<std::string> found;
    std::thread([&] {
        agent::Keystore keystore;
        agent::DispatcherOptions options;
        options.keep_clear = std::chrono::seconds(0);  // shielded as soon as asked
        agent::Dispatcher dispatcher(keystore, options);
        agent::ConnectionContext context;
        std::vector<std::uint8_t> stack(searched);
        for (const std::string& name : names) {
            for (const std::string request : {"add-", "sign-"}) {
                dispatcher.shield_idle_keys();
                protocol::Bytes body = test::read_file(test::data_dir / "captures" / (request + name + ".bin"));
                protocol::Bytes answer = dispatcher.handle_message(body, context);
                REQUIRE(answer.size() > 0);
                for (const std::string& what : found_below(needles, stack))
                    found.push_back(what + " after " + request + name);
            }
        }
    }).join();
    for (const std::string& what : found)
        MESSAGE("found: ", what);
    CHECK(found.empty());
}
