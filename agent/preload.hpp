// The [[key]] tables of config.toml put into the running agent: listed at once, decrypted at first use.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "agent/config.hpp"
#include "agent/dispatcher.hpp"

namespace latchkey::agent {

// Adds each key of `keys` to `dispatcher` as `latchkey add --deferred` would, with its lifetime (else the
// agent's default), confirm and destinations (host keys from `known_hosts_files`). A key that cannot be
// added (missing or unreadable file, PEM or unknown format, destination without known host keys, no
// locked memory left) is logged as one warning naming its file and why; the others are still added.
// Returns how many were added. Never throws.
std::size_t preload_keys(Dispatcher& dispatcher, const std::vector<PreloadKey>& keys,
                         const std::vector<std::string>& known_hosts_files);

// The keys of `now` whose path `before` does not list: what a reload adds. Never fails.
std::vector<PreloadKey> newly_listed_keys(const std::vector<PreloadKey>& before, const std::vector<PreloadKey>& now);

}  // namespace latchkey::agent
