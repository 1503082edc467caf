// Tests of platform/windows/pageant_window, pageant_mapping and pageant_pipe (run under Wine), driven the way
// PuTTY's client drives them.
#include <doctest/doctest.h>

#include <windows.h>

#include <aclapi.h>
#include <sddl.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "platform/windows/pageant_mapping.hpp"
#include "platform/windows/pageant_pipe.hpp"
#include "platform/windows/pageant_window.hpp"
#include "tests/support/pageant_client.hpp"

using latchkey::SecretBytes;
using latchkey::platform::MappingRefusal;
using latchkey::platform::PageantWindow;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr std::uint8_t failure = 5;  // SSH_AGENT_FAILURE

// The answering side: records every request it gets and replies with `reply`.
struct RecordingAnswer {
    std::mutex mutex;
    std::vector<Bytes> requests;
    Bytes reply{12, 0, 0, 0, 0};  // SSH2_AGENT_IDENTITIES_ANSWER with no keys

    latchkey::platform::PageantAnswer callback()
    {
        return [this](SecretBytes request) {
            const std::scoped_lock lock(mutex);
            requests.emplace_back(request.view().begin(), request.view().end());
            return reply;
        };
    }
    std::size_t count()
    {
        const std::scoped_lock lock(mutex);
        return requests.size();
    }
};

// SSH2_AGENT_SIGN_RESPONSE (14) followed by `request`: a reply that shows whose request it answers.
Bytes signed_echo(std::span<const std::uint8_t> request)
{
    Bytes reply(1 + request.size(), 14);
    std::copy(request.begin(), request.end(), reply.begin() + 1);
    return reply;
}

struct HandleCloser {
    void operator()(HANDLE handle) const noexcept { CloseHandle(handle); }
};

}  // namespace

TEST_CASE("a request over the window reaches the agent and its reply comes back in place")
{
    RecordingAnswer answer;
    PageantWindow window(answer.callback());
    const Bytes request{11};  // SSH2_AGENTC_REQUEST_IDENTITIES
    CHECK(latchkey::tests::pageant_window_query(request) == answer.reply);
    REQUIRE(answer.count() == 1);
    CHECK(answer.requests[0] == request);

    SUBCASE("in a mapping of only 8 KiB, as some clients make it")
    {
        CHECK(latchkey::tests::pageant_window_query(request, 8192) == answer.reply);
    }
    SUBCASE("a length field beyond the mapping gets FAILURE and never reaches the agent")
    {
        CHECK(latchkey::tests::pageant_window_query(request, 8192, 8192 - 3) == Bytes{failure});
        CHECK(answer.count() == 1);
    }
    SUBCASE("a length field beyond Pageant's 256 KiB gets FAILURE even in a larger mapping")
    {
        CHECK(latchkey::tests::pageant_window_query(request, 512 * 1024, 256 * 1024) == Bytes{failure});
        CHECK(answer.count() == 1);
    }
    SUBCASE("a reply larger than the mapping is replaced by FAILURE")
    {
        answer.reply.assign(10000, 0);
        answer.reply[0] = 12;
        CHECK(latchkey::tests::pageant_window_query(request, 8192) == Bytes{failure});
    }
}

TEST_CASE("clients on several threads at once each get the answer to their own request")
{
    // The agent echoes each request behind a 14 (SSH2_AGENT_SIGN_RESPONSE): a mix-up would show.
    PageantWindow window([](SecretBytes request) {
        return signed_echo(request.view());
    });
    std::vector<std::thread> clients;
    std::mutex mutex;
    int wrong = 0;
    for (std::uint8_t client = 0; client < 4; ++client) {
        clients.emplace_back([&, client] {
            for (std::uint8_t round = 0; round < 25; ++round) {
                const Bytes request{13, client, round, static_cast<std::uint8_t>(client ^ round)};
                if (latchkey::tests::pageant_window_query(request) != signed_echo(request)) {
                    const std::scoped_lock lock(mutex);
                    ++wrong;
                }
            }
        });
    }
    for (std::thread& client : clients) {
        client.join();
    }
    CHECK(wrong == 0);
}

TEST_CASE("WM_COPYDATA that is not a NUL-terminated mapping name with Pageant's id is refused with 0")
{
    RecordingAnswer answer;
    PageantWindow window(answer.callback());
    HWND hwnd = FindWindowA("Pageant", "Pageant");
    REQUIRE(hwnd != nullptr);
    char name[] = {'P', 'a', 'g', 'e'};
    COPYDATASTRUCT unterminated{0x804e50ba, sizeof name, name};
    CHECK(SendMessageA(hwnd, WM_COPYDATA, 0, reinterpret_cast<LPARAM>(&unterminated)) == 0);
    char missing[] = "PageantRequestNoSuchMapping";
    COPYDATASTRUCT wrong_id{0x804e50bb, sizeof missing, missing};
    CHECK(SendMessageA(hwnd, WM_COPYDATA, 0, reinterpret_cast<LPARAM>(&wrong_id)) == 0);
    COPYDATASTRUCT no_mapping{0x804e50ba, sizeof missing, missing};
    CHECK(SendMessageA(hwnd, WM_COPYDATA, 0, reinterpret_cast<LPARAM>(&no_mapping)) == 0);
    CHECK(answer.count() == 0);
}

TEST_CASE("an agent that throws gets the request refused, and the window goes on serving")
{
    bool thrown = false;
    PageantWindow window([&thrown](SecretBytes) {
        if (!thrown) {
            thrown = true;
            throw latchkey::SecretHeapExhausted();
        }
        return Bytes{12, 0, 0, 0, 0};
    });
    CHECK_FALSE(latchkey::tests::pageant_window_query(Bytes{11}).has_value());
    CHECK(thrown);
    CHECK(latchkey::tests::pageant_window_query(Bytes{11}) == Bytes{12, 0, 0, 0, 0});
}

TEST_CASE("a second Pageant window is refused while the first exists")
{
    RecordingAnswer answer;
    PageantWindow first(answer.callback());
    CHECK_THROWS_WITH_AS(PageantWindow(answer.callback()), doctest::Contains("Pageant window exists already"),
                         std::system_error);
}

TEST_CASE("a mapping owned by another account is refused unread")
{
    PSID system = nullptr;
    REQUIRE(ConvertStringSidToSidA("S-1-5-18", &system));  // LocalSystem
    const std::unique_ptr<void, decltype(&LocalFree)> system_owner(system, &LocalFree);
    SECURITY_DESCRIPTOR descriptor{};
    InitializeSecurityDescriptor(&descriptor, SECURITY_DESCRIPTOR_REVISION);
    SetSecurityDescriptorOwner(&descriptor, system, FALSE);
    SECURITY_ATTRIBUTES attributes{sizeof attributes, &descriptor, FALSE};
    const std::unique_ptr<void, HandleCloser> mapping(
        CreateFileMappingA(INVALID_HANDLE_VALUE, &attributes, PAGE_READWRITE, 0, 4096, "PageantRequestForeign"));
    REQUIRE(mapping != nullptr);
    PSID owner = nullptr;
    PSECURITY_DESCRIPTOR got = nullptr;
    REQUIRE(GetSecurityInfo(mapping.get(), SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, &owner, nullptr, nullptr,
                            nullptr, &got) == ERROR_SUCCESS);
    const bool owned_by_system = EqualSid(owner, system);
    LocalFree(got);
    REQUIRE_MESSAGE(owned_by_system, "this system would not give the mapping a foreign owner");
    RecordingAnswer answer;
    CHECK(latchkey::platform::answer_pageant_mapping("PageantRequestForeign", answer.callback()) ==
          MappingRefusal::foreign_owner);
    CHECK(answer.count() == 0);
}

TEST_CASE("Pageant's pipe name has PuTTY's shape and is the same on every call")
{
    const std::string name = latchkey::platform::pageant_pipe_name();
    const std::string prefix = "\\\\.\\pipe\\pageant.";
    REQUIRE(name.rfind(prefix, 0) == 0);
    const std::size_t dot = name.rfind('.');
    CHECK(dot > prefix.size());
    CHECK(name.size() - dot - 1 == 64);
    CHECK(name.find_first_not_of("0123456789abcdef", dot + 1) == std::string::npos);
    CHECK(latchkey::platform::pageant_pipe_name() == name);
}
