// What the user's session tells the agent, whatever watches it (logind on Linux; nothing yet on Windows).
#pragma once

namespace latchkey::platform {

enum class SessionEvent {
    suspending,     // the machine is about to sleep (logind: PrepareForSleep(true))
    screen_locked,  // the session's screen was locked (logind: the Session's Lock signal)
};

}  // namespace latchkey::platform
