// How a confirmation prompt names the host a connection is bound to: its names in the user's
// known_hosts files, else its fingerprint.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/key_blob.hpp"

namespace latchkey::agent {

// Largest known_hosts file read for a prompt; a larger one is read only up to this size.
constexpr std::size_t max_known_hosts_file = 16 * 1024 * 1024;

// The known_hosts files ssh reads by default for a user whose home is `home` (may be null):
// ~/.ssh/known_hosts, ~/.ssh/known_hosts2, /etc/ssh/ssh_known_hosts, /etc/ssh/ssh_known_hosts2.
std::vector<std::string> default_known_hosts_files(const char* home);

// Up to max_known_hosts_file bytes of the file at `path`; empty if it is missing or cannot be read.
protocol::Bytes read_known_hosts_file(const std::string& path);

// "host1.example, alias (SHA256:…)" when `host_key` is known under names in `files` (read as one),
// "a host with a hashed known_hosts name (SHA256:…)" when only hashed lines hold it, "a host whose key
// known_hosts marks @revoked (SHA256:…)", else "an unknown host (SHA256:…)" — `fingerprint` is the
// key's. Missing or unreadable files count as empty; bad lines are skipped. Never fails.
std::string describe_host_key(const protocol::PublicKey& host_key, std::string_view fingerprint,
                              const std::vector<std::string>& files);

}  // namespace latchkey::agent
