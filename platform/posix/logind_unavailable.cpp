// Built without libsystemd: logind cannot be watched, and config.toml's [session] lock/drop policies are refused.
#include "platform/posix/logind.hpp"

namespace latchkey::platform {

struct LogindWatch::State {
    std::string session_path;
};

bool logind_available() noexcept
{
    return false;
}

LogindWatch::LogindWatch(bool, bool)
{
    throw LogindError("latchkey was built without libsystemd, which watching logind needs");
}

LogindWatch::~LogindWatch() = default;

int LogindWatch::fd() const noexcept
{
    return -1;
}

std::vector<SessionEvent> LogindWatch::read_events()
{
    return {};
}

const std::string& LogindWatch::session_path() const noexcept
{
    return state_->session_path;
}

}  // namespace latchkey::platform
