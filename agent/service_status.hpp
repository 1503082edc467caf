// What latchkeyd tells systemd (sd_notify assignments) as the server starts, reloads, changes and stops.
#pragma once

#include <cstddef>
#include <string>

#include "agent/server.hpp"

namespace latchkey::agent {

// The sd_notify(3) assignments for `event` with `key_count` keys held: READY=1, RELOADING=1 or
// STOPPING=1 where the event calls for one, and always a STATUS= line with the key count (which
// `systemctl --user status latchkeyd` shows). Never fails.
std::string service_manager_state(ServerEvent event, std::size_t key_count);

}  // namespace latchkey::agent
