// Test relay under Wine: serves Pageant's window (and with --pipe a pipe of PuTTY's Pageant pipe name) and
// hands every request to an agent on the Linux side through 127.0.0.1:PORT, until it is killed.
// Usage: pageant_relay.exe PORT [--window] [--pipe]. Prints "ready" once serving, one line per request.
#include <winsock2.h>
#include <windows.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "platform/windows/pageant_pipe.hpp"
#include "platform/windows/pageant_window.hpp"
#include "platform/windows/user_sid.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;
const Bytes failure{5};  // SSH_AGENT_FAILURE

bool send_all(SOCKET socket, const std::uint8_t* bytes, std::size_t size)
{
    for (std::size_t sent = 0; sent < size;) {
        const int n = send(socket, reinterpret_cast<const char*>(bytes + sent), static_cast<int>(size - sent), 0);
        if (n <= 0) {
            return false;
        }
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

bool receive_all(SOCKET socket, std::uint8_t* bytes, std::size_t size)
{
    for (std::size_t got = 0; got < size;) {
        const int n = recv(socket, reinterpret_cast<char*>(bytes + got), static_cast<int>(size - got), 0);
        if (n <= 0) {
            return false;
        }
        got += static_cast<std::size_t>(n);
    }
    return true;
}

// One request to the agent behind 127.0.0.1:port; FAILURE if it cannot be reached or answers badly.
Bytes ask_agent(unsigned short port, std::span<const std::uint8_t> body)
{
    SOCKET socket = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (socket == INVALID_SOCKET) {
        return failure;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    Bytes reply = failure;
    const auto length = static_cast<std::uint32_t>(body.size());
    const std::array<std::uint8_t, 4> prefix{static_cast<std::uint8_t>(length >> 24),
        static_cast<std::uint8_t>(length >> 16), static_cast<std::uint8_t>(length >> 8),
        static_cast<std::uint8_t>(length)};
    std::array<std::uint8_t, 4> header{};
    if (connect(socket, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        send_all(socket, prefix.data(), prefix.size()) && send_all(socket, body.data(), body.size()) &&
        receive_all(socket, header.data(), header.size())) {
        const std::uint32_t size = (std::uint32_t{header[0]} << 24) | (std::uint32_t{header[1]} << 16) |
                                   (std::uint32_t{header[2]} << 8) | header[3];
        Bytes answer(size);
        if (size > 0 && size <= 256 * 1024 && receive_all(socket, answer.data(), answer.size())) {
            reply = std::move(answer);
        }
    }
    closesocket(socket);
    return reply;
}

void report(const char* transport, std::uint8_t type)
{
    std::printf("%s request %u\n", transport, static_cast<unsigned>(type));
    std::fflush(stdout);
}

bool pipe_read(HANDLE pipe, std::uint8_t* bytes, std::size_t size)
{
    for (DWORD done = 0; size > 0; bytes += done, size -= done) {
        if (!ReadFile(pipe, bytes, static_cast<DWORD>(size), &done, nullptr) || done == 0) {
            return false;
        }
    }
    return true;
}

// Serves the pipe one client at a time: enough for one plink. Throws std::system_error if the user's SID
// cannot be read.
void serve_pipe(const std::string& name, unsigned short port)
{
    latchkey::platform::UserOnlySecurity security(latchkey::platform::process_user_sid());
    for (;;) {
        HANDLE pipe = CreateNamedPipeA(name.c_str(), PIPE_ACCESS_DUPLEX,
                                       PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                                       PIPE_UNLIMITED_INSTANCES, 65536, 65536, 0, security.attributes());
        if (pipe == INVALID_HANDLE_VALUE) {
            std::fprintf(stderr, "cannot create %s: error %lu\n", name.c_str(), GetLastError());
            std::exit(1);
        }
        if (ConnectNamedPipe(pipe, nullptr) || GetLastError() == ERROR_PIPE_CONNECTED) {
            std::array<std::uint8_t, 4> header{};
            while (pipe_read(pipe, header.data(), header.size())) {
                const std::uint32_t size = (std::uint32_t{header[0]} << 24) | (std::uint32_t{header[1]} << 16) |
                                           (std::uint32_t{header[2]} << 8) | header[3];
                Bytes body(size);
                if (size == 0 || size > 256 * 1024 || !pipe_read(pipe, body.data(), body.size())) {
                    break;
                }
                report("pipe", body[0]);
                Bytes reply = ask_agent(port, body);
                const auto length = static_cast<std::uint32_t>(reply.size());
                reply.insert(reply.begin(), {static_cast<std::uint8_t>(length >> 24),
                    static_cast<std::uint8_t>(length >> 16), static_cast<std::uint8_t>(length >> 8),
                    static_cast<std::uint8_t>(length)});
                DWORD written = 0;
                if (!WriteFile(pipe, reply.data(), static_cast<DWORD>(reply.size()), &written, nullptr)) {
                    break;
                }
            }
        }
        DisconnectNamedPipe(pipe);
        CloseHandle(pipe);
    }
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: pageant_relay.exe PORT [--window] [--pipe]\n");
        return 2;
    }
    const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
    bool window = false;
    bool pipe = false;
    for (int i = 2; i < argc; ++i) {
        window = window || std::strcmp(argv[i], "--window") == 0;
        pipe = pipe || std::strcmp(argv[i], "--pipe") == 0;
    }
    WSADATA winsock{};
    if (WSAStartup(MAKEWORD(2, 2), &winsock) != 0) {
        std::fprintf(stderr, "WSAStartup failed\n");
        return 1;
    }
    std::optional<latchkey::platform::PageantWindow> pageant_window;
    if (window) {
        pageant_window.emplace([port](latchkey::SecretBytes request) {
            report("window", request[0]);
            return ask_agent(port, request.view());
        });
    }
    std::optional<std::thread> pipe_thread;
    if (pipe) {
        pipe_thread.emplace(serve_pipe, latchkey::platform::pageant_pipe_name(), port);
    }
    std::printf("ready %s\n", latchkey::platform::pageant_pipe_name().c_str());
    std::fflush(stdout);
    Sleep(INFINITE);  // until the test kills it
}
