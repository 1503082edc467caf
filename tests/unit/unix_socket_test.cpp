// Tests of platform/posix/unix_socket: placement, modes, live and stale sockets, unsafe directories, cleanup.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "platform/posix/unix_socket.hpp"

using namespace latchkey::platform;
namespace fs = std::filesystem;

namespace {

// A fresh 0700 directory under /tmp, removed with its contents at the end of the test.
struct TempDir {
    std::string path;
    TempDir()
    {
        std::string name = "/tmp/latchkey-unix-socket-test-XXXXXX";
        REQUIRE(::mkdtemp(name.data()) != nullptr);
        path = name;
    }
    ~TempDir() { fs::remove_all(path); }
};

struct stat status_of(const std::string& path)
{
    struct stat status {};
    REQUIRE(::lstat(path.c_str(), &status) == 0);
    return status;
}

mode_t permissions(const std::string& path)
{
    return status_of(path).st_mode & 07777;
}

bool connects(const std::string& path)
{
    const UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    return ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

// Leaves a socket file at path that nothing listens on.
void make_stale_socket(const std::string& path)
{
    AgentSocket socket = listen_at(path);
    socket.disown();
}

}  // namespace

TEST_CASE("private directories go under $XDG_RUNTIME_DIR/latchkey, else $TMPDIR, else /tmp")
{
    CHECK(private_directory_parent("/run/user/1000", "/var/tmp") == "/run/user/1000/latchkey");
    CHECK(private_directory_parent(nullptr, "/var/tmp") == "/var/tmp");
    CHECK(private_directory_parent("", "/var/tmp") == "/var/tmp");
    CHECK(private_directory_parent(nullptr, nullptr) == "/tmp");
    CHECK(private_directory_parent("", "") == "/tmp");
}

TEST_CASE("a private directory is 0700, its socket 0600 and listening, and both go away with it")
{
    TempDir temp;
    const std::string parent = temp.path + "/latchkey";  // created on demand, as under $XDG_RUNTIME_DIR
    std::string path;
    std::string directory;
    {
        AgentSocket socket = listen_in_private_directory(parent, 4242);
        path = socket.path();
        directory = socket.directory();
        CHECK(permissions(parent) == 0700);
        CHECK(fs::path(directory).parent_path() == parent);
        CHECK(fs::path(directory).filename().string().starts_with("latchkey-"));
        CHECK(permissions(directory) == 0700);
        CHECK(path == directory + "/agent.4242");
        CHECK(S_ISSOCK(status_of(path).st_mode));
        CHECK(permissions(path) == 0600);
        CHECK(connects(path));
    }
    CHECK_FALSE(fs::exists(path));
    CHECK_FALSE(fs::exists(directory));
    CHECK(fs::exists(parent));
}

TEST_CASE("two agents side by side get their own directories")
{
    TempDir temp;
    AgentSocket first = listen_in_private_directory(temp.path, 7);
    AgentSocket second = listen_in_private_directory(temp.path, 7);
    CHECK(first.directory() != second.directory());
    CHECK(connects(first.path()));
    CHECK(connects(second.path()));
}

TEST_CASE("the umask is 0177 only while the socket is made")
{
    TempDir temp;
    const mode_t before = ::umask(022);
    { AgentSocket socket = listen_in_private_directory(temp.path, 1); }
    CHECK(::umask(before) == 022);
}

TEST_CASE("a disowned socket stays; the descriptor can be handed over")
{
    TempDir temp;
    const std::string path = temp.path + "/agent.sock";
    {
        AgentSocket socket = listen_at(path);
        UniqueFd listener = socket.take_listener();
        CHECK(listener);
        CHECK_FALSE(socket.take_listener());
        socket.disown();
    }
    CHECK(fs::exists(path));
}

TEST_CASE("-a binds exactly there, made absolute, and removes only the socket")
{
    TempDir temp;
    const fs::path previous = fs::current_path();
    fs::current_path(temp.path);
    {
        AgentSocket socket = listen_at("relative.sock");
        CHECK(socket.path() == temp.path + "/relative.sock");
        CHECK(socket.directory().empty());
        CHECK(permissions(socket.path()) == 0600);
    }
    fs::current_path(previous);
    CHECK_FALSE(fs::exists(temp.path + "/relative.sock"));
    CHECK(fs::exists(temp.path));
}

TEST_CASE("-a refuses a path where an agent answers")
{
    TempDir temp;
    const std::string path = temp.path + "/agent.sock";
    AgentSocket running = listen_at(path);
    CHECK_THROWS_WITH_AS(listen_at(path), doctest::Contains("already running"), SocketSetupError);
    CHECK(connects(path));
}

TEST_CASE("-a replaces a stale socket")
{
    TempDir temp;
    const std::string path = temp.path + "/agent.sock";
    make_stale_socket(path);
    CHECK_FALSE(connects(path));
    AgentSocket socket = listen_at(path);
    CHECK(connects(path));
}

TEST_CASE("-a leaves anything but a socket alone")
{
    TempDir temp;
    const std::string path = temp.path + "/file";
    std::ofstream(path) << "keep me";
    CHECK_THROWS_WITH_AS(listen_at(path), doctest::Contains("not a socket"), SocketSetupError);
    CHECK(fs::file_size(path) == 7);
    fs::create_directory_symlink(temp.path, temp.path + "/link");
    CHECK_THROWS_AS(listen_at(temp.path + "/link"), SocketSetupError);
}

TEST_CASE("-a follows no symbolic link: neither a linked socket nor a linked directory is used")
{
    TempDir temp;
    const std::string real = temp.path + "/real";
    fs::create_directory(real);
    REQUIRE(::chmod(real.c_str(), 0700) == 0);
    make_stale_socket(real + "/agent.sock");
    fs::create_symlink(real + "/agent.sock", temp.path + "/agent.sock");
    CHECK_THROWS_WITH_AS(listen_at(temp.path + "/agent.sock"), doctest::Contains("is a symbolic link"),
                         SocketSetupError);
    CHECK(fs::is_socket(fs::symlink_status(real + "/agent.sock")));  // the stale socket it points to is left alone
    fs::create_directory_symlink(real, temp.path + "/linked");
    CHECK_THROWS_WITH_AS(listen_at(temp.path + "/linked/new.sock"), doctest::Contains("directory is a symbolic link"),
                         SocketSetupError);
    CHECK_FALSE(fs::exists(real + "/new.sock"));
    CHECK_NOTHROW(listen_at(real + "/new.sock"));
}

TEST_CASE("a directory others can change entries in is refused, unless it is sticky")
{
    TempDir temp;
    const std::string shared = temp.path + "/shared";
    fs::create_directory(shared);
    for (mode_t mode : {0777, 0770, 0722, 0702}) {
        CAPTURE(mode);
        REQUIRE(::chmod(shared.c_str(), mode) == 0);
        CHECK_THROWS_WITH_AS(listen_at(shared + "/agent.sock"), doctest::Contains("writable by group or others"),
                             SocketSetupError);
        CHECK_THROWS_AS(listen_in_private_directory(shared, 1), SocketSetupError);
    }
    REQUIRE(::chmod(shared.c_str(), 01777) == 0);
    CHECK_NOTHROW(listen_at(shared + "/agent.sock"));
    REQUIRE(::chmod(shared.c_str(), 0755) == 0);
    CHECK_NOTHROW(listen_at(shared + "/agent.sock"));
    CHECK_NOTHROW(check_safe_directory("/tmp"));
    CHECK_THROWS_WITH_AS(check_safe_directory(temp.path + "/missing"), doctest::Contains("No such file"),
                         SocketSetupError);
    CHECK_THROWS_WITH_AS(check_safe_directory("/dev/null"), doctest::Contains("not a directory"), SocketSetupError);
}

TEST_CASE("a directory of another user is refused")
{
    if (::geteuid() != 0) {
        MESSAGE("skipped: chown needs root");
        return;
    }
    TempDir temp;
    REQUIRE(::chown(temp.path.c_str(), 65534, 65534) == 0);
    CHECK_THROWS_WITH_AS(listen_at(temp.path + "/agent.sock"), doctest::Contains("owned by uid 65534"),
                         SocketSetupError);
}

TEST_CASE("a socket path longer than sun_path allows is refused before anything is made")
{
    TempDir temp;
    const std::string path = temp.path + "/" + std::string(sizeof(sockaddr_un::sun_path), 'a');
    CHECK_THROWS_WITH_AS(listen_at(path), doctest::Contains("socket path too long"), SocketSetupError);
    CHECK(fs::is_empty(temp.path));
}
