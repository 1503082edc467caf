// A Pageant client of the project's own for tests, following PuTTY's windows/agent-client.c code path.
#include "tests/support/pageant_client.hpp"

#include <windows.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <cstdio>
#include <memory>

#include "platform/windows/user_sid.hpp"

namespace latchkey::tests {
namespace {

struct HandleCloser {
    void operator()(HANDLE handle) const noexcept { CloseHandle(handle); }
};
using Handle = std::unique_ptr<void, HandleCloser>;

struct ViewUnmapper {
    void operator()(void* view) const noexcept { UnmapViewOfFile(view); }
};

std::array<std::uint8_t, 4> be32(std::uint32_t value)
{
    return {static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
            static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
}

std::uint32_t read_be32(const std::uint8_t* p)
{
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

std::optional<std::vector<std::uint8_t>> pageant_window_query(std::span<const std::uint8_t> body,
                                                              std::size_t mapping_size,
                                                              std::optional<std::uint32_t> length_field)
{
    HWND window = FindWindowA("Pageant", "Pageant");
    if (window == nullptr || body.size() + 4 > mapping_size) {
        return std::nullopt;
    }
    std::array<char, 32> name{};
    std::snprintf(name.data(), name.size(), "PageantRequest%08x", static_cast<unsigned>(GetCurrentThreadId()));
    // The mapping's owner is the user's SID, not the token's default owner, as PuTTY sets it.
    platform::SidBuffer user = platform::process_user_sid();
    SECURITY_DESCRIPTOR descriptor{};
    InitializeSecurityDescriptor(&descriptor, SECURITY_DESCRIPTOR_REVISION);
    SetSecurityDescriptorOwner(&descriptor, user.data(), FALSE);
    SECURITY_ATTRIBUTES attributes{sizeof attributes, &descriptor, FALSE};
    const Handle mapping(CreateFileMappingA(INVALID_HANDLE_VALUE, &attributes, PAGE_READWRITE, 0,
                                            static_cast<DWORD>(mapping_size), name.data()));
    if (!mapping) {
        return std::nullopt;
    }
    const std::unique_ptr<void, ViewUnmapper> view(MapViewOfFile(mapping.get(), FILE_MAP_WRITE, 0, 0, 0));
    if (!view) {
        return std::nullopt;
    }
    auto* bytes = static_cast<std::uint8_t*>(view.get());
    const auto length = be32(length_field.value_or(static_cast<std::uint32_t>(body.size())));
    std::copy(length.begin(), length.end(), bytes);
    std::copy(body.begin(), body.end(), bytes + 4);
    COPYDATASTRUCT data{0x804e50ba, static_cast<DWORD>(std::strlen(name.data()) + 1), name.data()};
    if (SendMessageA(window, WM_COPYDATA, 0, reinterpret_cast<LPARAM>(&data)) == 0) {
        return std::nullopt;
    }
    const std::uint32_t reply_length = read_be32(bytes);
    if (reply_length == 0 || reply_length > mapping_size - 4) {
        return std::nullopt;
    }
    return std::vector<std::uint8_t>(bytes + 4, bytes + 4 + reply_length);
}

std::optional<std::vector<std::uint8_t>> pipe_query(const std::string& pipe_name, std::span<const std::uint8_t> body)
{
    HANDLE raw = CreateFileA(pipe_name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    if (raw == INVALID_HANDLE_VALUE) {
        return std::nullopt;
    }
    const Handle pipe(raw);
    std::vector<std::uint8_t> request(4 + body.size());
    const auto length = be32(static_cast<std::uint32_t>(body.size()));
    std::copy(length.begin(), length.end(), request.begin());
    std::copy(body.begin(), body.end(), request.begin() + 4);
    DWORD done = 0;
    if (!WriteFile(pipe.get(), request.data(), static_cast<DWORD>(request.size()), &done, nullptr) ||
        done != request.size()) {
        return std::nullopt;
    }
    auto read_exactly = [&](std::uint8_t* into, std::size_t size) {
        for (std::size_t got = 0; got < size; got += done) {
            if (!ReadFile(pipe.get(), into + got, static_cast<DWORD>(size - got), &done, nullptr) || done == 0) {
                return false;
            }
        }
        return true;
    };
    std::array<std::uint8_t, 4> header{};
    if (!read_exactly(header.data(), header.size())) {
        return std::nullopt;
    }
    const std::uint32_t reply_length = read_be32(header.data());
    if (reply_length == 0 || reply_length > 256 * 1024) {
        return std::nullopt;
    }
    std::vector<std::uint8_t> reply(reply_length);
    if (!read_exactly(reply.data(), reply.size())) {
        return std::nullopt;
    }
    return reply;
}

}  // namespace latchkey::tests
