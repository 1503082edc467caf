// Session events from systemd-logind over the system D-Bus (sd-bus): the machine about to sleep, the screen locked.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/session_event.hpp"

namespace latchkey::platform {

// Why watching logind could not start or went on: no bus, no logind, no session, built without libsystemd.
class LogindError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// False when latchkey was built without libsystemd, so LogindWatch always throws. Never fails.
bool logind_available() noexcept;

// A connection to the system bus (DBUS_SYSTEM_BUS_ADDRESS, else the default) that listens to logind.
// Not thread-safe: use it from one thread.
class LogindWatch {
public:
    // Subscribes to PrepareForSleep if `suspend`, and if `screen_lock` to the Lock signal of one session:
    // the one $XDG_SESSION_ID names, else logind's session of this process (GetSessionByPID), else the
    // user's display session (the Display property of GetUser(uid)), which is the case of a systemd user
    // service. Throws LogindError saying what failed and what it means.
    LogindWatch(bool suspend, bool screen_lock);
    ~LogindWatch();
    LogindWatch(const LogindWatch&) = delete;
    LogindWatch& operator=(const LogindWatch&) = delete;

    // The connection's descriptor (owned by the watch): readable when messages wait for read_events().
    int fd() const noexcept;
    // Reads every message waiting on the connection; returns the events they carried, in order. Throws
    // LogindError if the connection has failed (the bus went away).
    std::vector<SessionEvent> read_events();
    // The object path of the watched session, "" when screen locks are not watched. Never fails.
    const std::string& session_path() const noexcept;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace latchkey::platform
