// Closing a HANDLE once, when its owner goes.
#include "platform/windows/unique_handle.hpp"

namespace latchkey::platform {

UniqueHandle& UniqueHandle::operator=(UniqueHandle&& other) noexcept
{
    if (this != &other) {
        UniqueHandle old(handle_);
        handle_ = other.release();
    }
    return *this;
}

UniqueHandle::~UniqueHandle()
{
    if (*this)
        CloseHandle(handle_);
}

HANDLE UniqueHandle::release() noexcept
{
    HANDLE handle = handle_;
    handle_ = nullptr;
    return handle;
}

}  // namespace latchkey::platform
