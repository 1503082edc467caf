// Destination constraints (ssh-add -h) against a connection's session binds, as OpenSSH's ssh-agent
// identity_permitted, permitted_by_dest_constraints and match_key_hop.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/error.hpp"
#include "protocol/constraint.hpp"
#include "protocol/userauth.hpp"

namespace latchkey::agent {

// One verified session-bind@openssh.com on a connection.
struct SessionBinding {
    protocol::PublicKey host_key;
    protocol::Bytes session_id;
    bool is_forwarding = false;
};

// What a connection has bound: its binds in order, and whether any bind was attempted (a failed
// attempt with no bind recorded hides and refuses every constrained key, as in OpenSSH).
struct BindState {
    std::vector<SessionBinding> binds;
    bool attempted = false;
};

// Whether keys with these constraints may be used over this connection: for listing (user
// nullopt) or to sign a userauth request for `user`. Unconstrained keys and unbound local
// connections are permitted. `unix_now` checks host certificates' validity. Fails with refused,
// saying why.
Result<void> destination_permitted(const std::vector<protocol::DestinationConstraint>& constraints,
                                   const BindState& state, const std::optional<std::string>& user,
                                   std::uint64_t unix_now);

// The checks OpenSSH's process_sign_request makes before a destination-constrained key signs
// `data`: the connection is bound, data is a userauth request by `key` whose session id is the last
// bound one and whose host key (required after a forwarding hop) is the last bound key, and the
// constraints permit the chain and the user. Fails with refused, saying why.
Result<void> check_constrained_sign(const std::vector<protocol::DestinationConstraint>& constraints,
                                    const BindState& state, const protocol::PublicKey& key,
                                    protocol::ByteView data, std::uint64_t unix_now);

}  // namespace latchkey::agent
