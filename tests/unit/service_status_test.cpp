// Tests for agent/service_status: the sd_notify text per server event.
#include <doctest/doctest.h>

#include "agent/service_status.hpp"

using latchkey::agent::ServerEvent;
using latchkey::agent::service_manager_state;

TEST_CASE("ready tells systemd READY=1 and the key count")
{
    CHECK(service_manager_state(ServerEvent::ready, 0) == "READY=1\nSTATUS=Serving; holding 0 keys");
}

TEST_CASE("a change of keys updates only the status, in the singular for one key")
{
    CHECK(service_manager_state(ServerEvent::keys_changed, 1) == "STATUS=Serving; holding 1 key");
    CHECK(service_manager_state(ServerEvent::keys_changed, 7) == "STATUS=Serving; holding 7 keys");
}

TEST_CASE("reloading and stopping name their state first")
{
    CHECK(service_manager_state(ServerEvent::reloading, 2) ==
          "RELOADING=1\nSTATUS=Reloading the configuration; holding 2 keys");
    CHECK(service_manager_state(ServerEvent::stopping, 3) == "STOPPING=1\nSTATUS=Stopping; wiping 3 keys");
}
