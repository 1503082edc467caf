// Destinations in ssh-add -h syntax (latchkey add -h, key.destinations in config.toml): parsed, with the
// host keys for them from known_hosts, as a restrict-destination-v00@openssh.com constraint.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/error.hpp"
#include "agent/known_hosts.hpp"
#include "protocol/constraint.hpp"

namespace latchkey::agent {

// One -h argument taken apart: "[from_host>][to_user@]to_host" (from_host empty = the origin).
struct DestinationSpec {
    std::string from_host;
    std::string to_user;
    std::string to_host;
    bool operator==(const DestinationSpec&) const = default;
};

// Parses a -h argument as ssh-add does: at most one '>', the user is everything before the last '@',
// brackets around a host name are dropped. Fails with malformed naming the argument for an empty host,
// more than one '>', or a user on the from host.
Result<DestinationSpec> parse_destination(std::string_view text);

// The hop for `spec` with the host keys `known_hosts` lists for each host (plain lines as keys,
// @cert-authority lines as CAs; @revoked lines ignored), as ssh-add builds it. Fails with not_found
// "no host keys found for destination HOST" when a host has none.
Result<protocol::DestinationConstraint> destination_constraint(const DestinationSpec& spec,
                                                               const KnownHosts& known_hosts);

// All -h arguments as one constraint, with the host keys of `known_hosts_files` (missing files count as
// empty). Fails as the two above.
Result<protocol::RestrictDestinationConstraint> restrict_destinations(const std::vector<std::string>& arguments,
                                                                      const std::vector<std::string>& known_hosts_files);

}  // namespace latchkey::agent
