// One latchkeyd.exe per Windows user: a named mutex held for the life of the agent.
#pragma once

#include <windows.h>

#include <optional>

namespace latchkey::platform {

// Holds the per-user mutex "Local\latchkeyd.<user SID>" until destroyed.
class SingleInstance {
public:
    explicit SingleInstance(HANDLE mutex) noexcept : mutex_(mutex) {}
    SingleInstance(SingleInstance&& other) noexcept : mutex_(other.mutex_) { other.mutex_ = nullptr; }
    SingleInstance& operator=(SingleInstance&&) = delete;
    ~SingleInstance();

private:
    HANDLE mutex_;
};

// The mutex, or nullopt if another latchkeyd.exe of this user holds it. Throws std::system_error if the
// mutex cannot be created or the user's SID read.
std::optional<SingleInstance> claim_single_instance();

}  // namespace latchkey::platform
