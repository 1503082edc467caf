// The sd_notify text for each server event.
#include "agent/service_status.hpp"

namespace latchkey::agent {

namespace {

std::string keys(std::size_t count)
{
    return std::to_string(count) + (count == 1 ? " key" : " keys");
}

}  // namespace

std::string service_manager_state(ServerEvent event, std::size_t key_count)
{
    switch (event) {
    case ServerEvent::ready: return "READY=1\nSTATUS=Serving; holding " + keys(key_count);
    case ServerEvent::reloading: return "RELOADING=1\nSTATUS=Reloading the configuration; holding " + keys(key_count);
    case ServerEvent::stopping: return "STOPPING=1\nSTATUS=Stopping; wiping " + keys(key_count);
    case ServerEvent::keys_changed: break;
    }
    return "STATUS=Serving; holding " + keys(key_count);
}

}  // namespace latchkey::agent
