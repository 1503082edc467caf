// A Windows HANDLE that closes itself.
#pragma once

#include <windows.h>

namespace latchkey::platform {

// Owns a HANDLE; closes it when destroyed.
class UniqueHandle {
public:
    UniqueHandle() noexcept = default;
    explicit UniqueHandle(HANDLE handle) noexcept : handle_(handle) {}
    UniqueHandle(UniqueHandle&& other) noexcept : handle_(other.release()) {}
    UniqueHandle& operator=(UniqueHandle&& other) noexcept;
    ~UniqueHandle();
    HANDLE get() const noexcept { return handle_; }
    HANDLE release() noexcept;
    explicit operator bool() const noexcept { return handle_ != nullptr && handle_ != INVALID_HANDLE_VALUE; }

private:
    HANDLE handle_ = nullptr;
};

}  // namespace latchkey::platform
