// Pageant's shared-memory request: owner check, size bound and in-place answer of one file mapping.
#include "platform/windows/pageant_mapping.hpp"

#include <windows.h>

#include <aclapi.h>

#include <algorithm>
#include <array>
#include <memory>
#include <span>

#include "platform/windows/user_sid.hpp"

namespace latchkey::platform {
namespace {

constexpr std::uint8_t ssh_agent_failure = 5;  // PROTOCOL.agent / RFC 9987: SSH_AGENT_FAILURE

struct HandleCloser {
    void operator()(HANDLE handle) const noexcept { CloseHandle(handle); }
};
using MappingHandle = std::unique_ptr<void, HandleCloser>;

struct ViewUnmapper {
    void operator()(void* view) const noexcept { UnmapViewOfFile(view); }
};
using MappedView = std::unique_ptr<void, ViewUnmapper>;

struct LocalFreer {
    void operator()(void* memory) const noexcept { LocalFree(memory); }
};

std::uint32_t read_u32_be(const std::uint8_t* p) noexcept
{
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

void write_message(std::span<std::uint8_t> mapping, std::span<const std::uint8_t> body) noexcept
{
    const auto length = static_cast<std::uint32_t>(body.size());
    const std::array<std::uint8_t, 4> prefix{static_cast<std::uint8_t>(length >> 24),
        static_cast<std::uint8_t>(length >> 16), static_cast<std::uint8_t>(length >> 8),
        static_cast<std::uint8_t>(length)};
    std::copy(prefix.begin(), prefix.end(), mapping.begin());
    std::copy(body.begin(), body.end(), mapping.begin() + 4);
}

// none if the mapping's owner is this process's user or its token's default owner, else why not.
MappingRefusal check_owner(HANDLE mapping)
{
    PSID owner = nullptr;
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (GetSecurityInfo(mapping, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, &owner, nullptr, nullptr,
                        nullptr, &descriptor) != ERROR_SUCCESS) {
        return MappingRefusal::cannot_read_owner;
    }
    const std::unique_ptr<void, LocalFreer> descriptor_owner(descriptor);
    if (owner == nullptr || !IsValidSid(owner)) {
        return MappingRefusal::cannot_read_owner;
    }
    const auto* first = static_cast<const std::uint8_t*>(owner);
    const SidBuffer mapping_owner(first, first + GetLengthSid(owner));
    const bool ours = same_sid(mapping_owner, process_user_sid()) ||
                      same_sid(mapping_owner, process_default_owner_sid());
    return ours ? MappingRefusal::none : MappingRefusal::foreign_owner;
}

}  // namespace

std::string_view describe(MappingRefusal refusal) noexcept
{
    switch (refusal) {
    case MappingRefusal::none: return "answered";
    case MappingRefusal::cannot_open: return "the named file mapping cannot be opened";
    case MappingRefusal::cannot_read_owner: return "the file mapping's owner cannot be read";
    case MappingRefusal::foreign_owner: return "the file mapping belongs to another user";
    case MappingRefusal::cannot_map: return "the file mapping cannot be mapped";
    case MappingRefusal::too_small: return "the file mapping is too small for a request";
    }
    return "unknown refusal";
}

MappingRefusal answer_pageant_mapping(const std::string& name, const PageantAnswer& answer)
{
    const MappingHandle mapping(OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name.c_str()));
    if (!mapping) {
        return MappingRefusal::cannot_open;
    }
    if (const MappingRefusal owner = check_owner(mapping.get()); owner != MappingRefusal::none) {
        return owner;
    }
    const MappedView view(MapViewOfFile(mapping.get(), FILE_MAP_WRITE, 0, 0, 0));
    if (!view) {
        return MappingRefusal::cannot_map;
    }
    // The view's real size: the client may have mapped far less than a full message (8 KiB is common).
    MEMORY_BASIC_INFORMATION region{};
    if (VirtualQuery(view.get(), &region, sizeof region) < sizeof region) {
        return MappingRefusal::cannot_map;
    }
    if (region.RegionSize < 5) {
        return MappingRefusal::too_small;
    }
    const std::span<std::uint8_t> bytes(static_cast<std::uint8_t*>(view.get()),
                                        std::min<std::size_t>(region.RegionSize, pageant_max_message));
    const std::size_t body_room = bytes.size() - 4;
    static constexpr std::array<std::uint8_t, 1> failure{ssh_agent_failure};
    const std::uint32_t length = read_u32_be(bytes.data());
    if (length == 0 || length > body_room) {
        write_message(bytes, failure);
        return MappingRefusal::none;
    }
    // Copied into locked memory before use: the client can still change the mapping under us.
    SecretBytes request(bytes.subspan(4, length));
    const std::vector<std::uint8_t> reply = answer(std::move(request));
    write_message(bytes, reply.size() <= body_room ? std::span<const std::uint8_t>(reply) : failure);
    return MappingRefusal::none;
}

}  // namespace latchkey::platform
