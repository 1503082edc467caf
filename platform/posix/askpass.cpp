// Askpass processes through posix_spawn (safe in a multi-threaded daemon), and /proc ancestry.
#include "platform/posix/askpass.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

#include "platform/posix/peer_credentials.hpp"

extern char** environ;

namespace latchkey::platform {

namespace {

constexpr const char* default_askpass = "/usr/lib/ssh/x11-ssh-askpass";
constexpr std::string_view prompt_variable = "SSH_ASKPASS_PROMPT=";
constexpr int max_ancestry = 6;

// The caller's environment with SSH_ASKPASS_PROMPT set to "confirm" or removed, for `purpose`.
std::vector<std::string> askpass_environment(AskpassPurpose purpose)
{
    std::vector<std::string> environment;
    for (char** entry = environ; *entry != nullptr; ++entry)
        if (!std::string_view(*entry).starts_with(prompt_variable))
            environment.emplace_back(*entry);
    if (purpose == AskpassPurpose::confirm)
        environment.push_back(std::string(prompt_variable) + "confirm");
    return environment;
}

// argv/envp for posix_spawn: pointers into `strings`, null-terminated.
std::vector<char*> pointers(std::vector<std::string>& strings)
{
    std::vector<char*> result;
    for (std::string& text : strings)
        result.push_back(text.data());
    result.push_back(nullptr);
    return result;
}

// posix_spawn file actions and attributes, destroyed with their owner.
struct SpawnSetup {
    posix_spawn_file_actions_t actions{};
    posix_spawnattr_t attributes{};

    SpawnSetup()
    {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attributes);
    }
    ~SpawnSetup()
    {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attributes);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

void check(int error, const std::string& what)
{
    if (error != 0)
        throw std::system_error(error, std::generic_category(), what);
}

// stdin /dev/null, stdout the pipe's write end, no other descriptor of ours (a client connection
// held open by a prompt would keep that client waiting), a new process group, SIGPIPE back to its default.
void prepare(SpawnSetup& setup, int write_end, const std::string& program)
{
    check(posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0), program);
    check(posix_spawn_file_actions_adddup2(&setup.actions, write_end, STDOUT_FILENO), program);
    check(posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1), program);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    check(posix_spawnattr_setsigdefault(&setup.attributes, &defaults), program);
    check(posix_spawnattr_setpgroup(&setup.attributes, 0), program);
    check(posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP), program);
}

}  // namespace

AskpassProcess start_askpass(const std::string& program, const std::string& prompt, AskpassPurpose purpose)
{
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), program);
    UniqueFd read_end(ends[0]);
    UniqueFd write_end(ends[1]);
    SpawnSetup setup;
    prepare(setup, write_end.get(), program);
    std::vector<std::string> arguments = {program, prompt};
    std::vector<std::string> environment = askpass_environment(purpose);
    std::vector<char*> argv = pointers(arguments);
    std::vector<char*> envp = pointers(environment);
    pid_t pid = 0;
    check(posix_spawnp(&pid, program.c_str(), &setup.actions, &setup.attributes, argv.data(), envp.data()), program);
    return {pid, std::move(read_end)};
}

std::optional<int> reap(int pid) noexcept
{
    int status = 0;
    pid_t result = 0;
    do
        result = waitpid(pid, &status, WNOHANG);
    while (result < 0 && errno == EINTR);
    if (result == 0)
        return std::nullopt;
    if (result < 0)
        return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

void kill(int pid) noexcept
{
    if (pid > 0)
        ::kill(-pid, SIGKILL);
}

std::optional<std::string> find_askpass_program()
{
    const char* configured = std::getenv("SSH_ASKPASS");
    if (configured != nullptr && *configured != '\0')
        return std::string(configured);
    if (access(default_askpass, X_OK) == 0)
        return std::string(default_askpass);
    return std::nullopt;
}

std::optional<std::int64_t> parent_pid_from_stat(std::string_view stat)
{
    // "PID (comm) S PPID ...": comm ends at the last ')'.
    auto close = stat.rfind(')');
    if (close == std::string_view::npos || close + 4 >= stat.size())
        return std::nullopt;
    std::string_view rest = stat.substr(close + 4);  // past ") S "
    std::int64_t parent = 0;
    std::size_t digits = 0;
    for (; digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9'; ++digits)
        parent = parent * 10 + (rest[digits] - '0');
    if (digits == 0 || digits > 18)
        return std::nullopt;
    return parent;
}

std::string process_ancestry(std::int64_t pid)
{
    if (pid <= 0)
        return "an unknown process";
    std::string chain;
    for (int level = 0; level < max_ancestry && pid > 1; ++level) {
        std::string name = process_name(pid);
        if (!chain.empty())
            chain += " ← ";
        chain += (name.empty() ? "?" : name) + " (pid " + std::to_string(pid) + ")";
        std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
        std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        auto parent = parent_pid_from_stat(stat);
        if (name.empty() || !parent)
            break;
        pid = *parent;
    }
    return chain;
}

}  // namespace latchkey::platform
