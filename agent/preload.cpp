// Preloading config.toml's keys: the same deferred add requests as `latchkey add --deferred`, handled in-process.
#include "agent/preload.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "agent/deferred_add.hpp"
#include "agent/destination_arguments.hpp"

namespace latchkey::agent {

namespace {

Result<std::vector<protocol::Constraint>> constraints_of(const PreloadKey& key,
                                                         const std::vector<std::string>& known_hosts_files)
{
    std::vector<protocol::Constraint> constraints;
    if (key.lifetime)
        constraints.emplace_back(protocol::LifetimeConstraint{static_cast<std::uint32_t>(key.lifetime->count())});
    if (key.confirm)
        constraints.emplace_back(protocol::ConfirmConstraint{});
    if (!key.destinations.empty()) {
        LATCHKEY_TRY(protocol::RestrictDestinationConstraint restrict,
                     restrict_destinations(key.destinations, known_hosts_files));
        constraints.emplace_back(std::move(restrict));
    }
    return constraints;
}

Result<void> preload_key(Dispatcher& dispatcher, const PreloadKey& key, const std::vector<std::string>& known_hosts_files)
{
    LATCHKEY_TRY(std::vector<protocol::Constraint> constraints, constraints_of(key, known_hosts_files));
    LATCHKEY_TRY(DeferredAdd added, deferred_add_file(key.path, constraints));
    ConnectionContext context{Peer{0, 0, "latchkeyd"}};
    LATCHKEY_CHECK(dispatcher.handle(protocol::Request(std::move(added.request)), context));
    return {};
}

}  // namespace

std::size_t preload_keys(Dispatcher& dispatcher, const std::vector<PreloadKey>& keys,
                         const std::vector<std::string>& known_hosts_files)
{
    std::size_t added = 0;
    for (const PreloadKey& key : keys) {
        Result<void> result = fail(Error(ErrorCode::locked_memory_full, "raise locked_memory in config.toml"));
        try {
            result = preload_key(dispatcher, key, known_hosts_files);
        } catch (const SecretHeapExhausted&) {
        }
        if (result)
            ++added;
        else
            spdlog::warn("[[key]] {} not loaded: {}", key.path,
                         result.error().detail.empty() ? describe(result.error()) : result.error().detail);
    }
    return added;
}

std::vector<PreloadKey> newly_listed_keys(const std::vector<PreloadKey>& before, const std::vector<PreloadKey>& now)
{
    std::vector<PreloadKey> added;
    for (const PreloadKey& key : now) {
        if (std::ranges::none_of(before, [&](const PreloadKey& old) { return old.path == key.path; }))
            added.push_back(key);
    }
    return added;
}

}  // namespace latchkey::agent
