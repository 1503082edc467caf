// Watching systemd-logind with sd-bus: the signal subscriptions, finding this user's session, reading messages.
#include "platform/posix/logind.hpp"

#include <dlfcn.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace latchkey::platform {

namespace {

constexpr const char* logind_name = "org.freedesktop.login1";
constexpr const char* manager_path = "/org/freedesktop/login1";
constexpr const char* manager_interface = "org.freedesktop.login1.Manager";
constexpr const char* session_interface = "org.freedesktop.login1.Session";
constexpr const char* user_interface = "org.freedesktop.login1.User";

// The sd-bus calls of this file. libsystemd.so.0 is loaded only for the first watch (and never unloaded), so
// latchkeyd maps libsystemd, and the compression and crypto libraries it links, only when [session] asks for
// logind, not in every agent that holds keys.
struct SdBus {
    decltype(&::sd_bus_open_system) open_system;
    decltype(&::sd_bus_flush_close_unref) flush_close_unref;
    decltype(&::sd_bus_match_signal) match_signal;
    decltype(&::sd_bus_slot_unref) slot_unref;
    decltype(&::sd_bus_get_fd) get_fd;
    decltype(&::sd_bus_process) process;
    decltype(&::sd_bus_call_method) call_method;
    decltype(&::sd_bus_get_property) get_property;
    decltype(&::sd_bus_message_read) message_read;
    decltype(&::sd_bus_message_unref) message_unref;
    decltype(&::sd_bus_error_free) error_free;
};

template <class Function>
void resolve(void* library, const char* name, Function& function)
{
    function = reinterpret_cast<Function>(::dlsym(library, name));
    if (function == nullptr)
        throw LogindError(std::string("libsystemd.so.0 has no ") + name + ", which watching logind needs");
}

SdBus load_sd_bus()
{
    void* library = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr)
        throw LogindError(std::string("cannot load libsystemd.so.0, which watching logind needs: ") + ::dlerror());
    SdBus api {};
    resolve(library, "sd_bus_open_system", api.open_system);
    resolve(library, "sd_bus_flush_close_unref", api.flush_close_unref);
    resolve(library, "sd_bus_match_signal", api.match_signal);
    resolve(library, "sd_bus_slot_unref", api.slot_unref);
    resolve(library, "sd_bus_get_fd", api.get_fd);
    resolve(library, "sd_bus_process", api.process);
    resolve(library, "sd_bus_call_method", api.call_method);
    resolve(library, "sd_bus_get_property", api.get_property);
    resolve(library, "sd_bus_message_read", api.message_read);
    resolve(library, "sd_bus_message_unref", api.message_unref);
    resolve(library, "sd_bus_error_free", api.error_free);
    return api;
}

// libsystemd's sd-bus, loaded at the first call. Throws LogindError if it cannot be (then tries again next time).
const SdBus& bus_api()
{
    static const SdBus api = load_sd_bus();
    return api;
}

// An sd_bus_error freed on every path; message() is the bus's own words, else strerror.
struct BusError {
    sd_bus_error error{};  // SD_BUS_ERROR_NULL, whose compound literal clang rejects in C++
    ~BusError() { bus_api().error_free(&error); }
    std::string message(int result) const
    {
        return error.message != nullptr ? error.message : std::strerror(-result);
    }
};

struct MessageRef {
    sd_bus_message* message = nullptr;
    ~MessageRef() { bus_api().message_unref(message); }
};

// The object path that logind's Manager method `method` returns for `argument` ("s" or "u" in
// `signature`); "" after adding why to `problem`.
template <class Argument>
std::string call_for_path(sd_bus* bus, const char* method, const char* signature, Argument argument,
                          std::string& problem)
{
    BusError error;
    MessageRef reply;
    int result = bus_api().call_method(bus, logind_name, manager_path, manager_interface, method, &error.error,
                                      &reply.message, signature, argument);
    const char* path = nullptr;
    if (result >= 0)
        result = bus_api().message_read(reply.message, "o", &path);
    if (result < 0) {
        problem += std::string(problem.empty() ? "" : "; ") + method + ": " + error.message(result);
        return {};
    }
    return path;
}

// The user's display session, from the Display property of the user object.
std::string display_session(sd_bus* bus, std::string& problem)
{
    const std::uint32_t uid = getuid();
    std::string user = call_for_path(bus, "GetUser", "u", uid, problem);
    if (user.empty())
        return {};
    BusError error;
    MessageRef reply;
    int result = bus_api().get_property(bus, logind_name, user.c_str(), user_interface, "Display", &error.error,
                                       &reply.message, "(so)");
    const char* id = nullptr;
    const char* path = nullptr;
    if (result >= 0)
        result = bus_api().message_read(reply.message, "(so)", &id, &path);
    if (result < 0) {
        problem += "; the Display of " + user + ": " + error.message(result);
        return {};
    }
    if (path == nullptr || std::string_view(path) == "/") {
        problem += "; user " + std::to_string(uid) + " has no display session";
        return {};
    }
    return path;
}

// The session whose Lock signal counts (see LogindWatch's constructor). Throws LogindError if none is found.
std::string find_session(sd_bus* bus)
{
    std::string problem;
    const char* id = std::getenv("XDG_SESSION_ID");
    if (id != nullptr && *id != '\0') {
        std::string path = call_for_path(bus, "GetSession", "s", id, problem);
        if (!path.empty())
            return path;
    }
    const std::uint32_t pid = static_cast<std::uint32_t>(getpid());
    std::string path = call_for_path(bus, "GetSessionByPID", "u", pid, problem);
    if (path.empty())
        path = display_session(bus, problem);
    if (path.empty())
        throw LogindError("cannot find the login session whose screen lock to follow (" + problem + ")");
    return path;
}

}  // namespace

struct LogindWatch::State {
    sd_bus* bus = nullptr;
    sd_bus_slot* sleep_slot = nullptr;
    sd_bus_slot* lock_slot = nullptr;
    std::string session_path;
    std::vector<SessionEvent> events;  // filled by the callbacks during read_events()

    ~State()
    {
        if (bus == nullptr)
            return;  // never connected (libsystemd may not even be loaded); no slots either
        bus_api().slot_unref(lock_slot);
        bus_api().slot_unref(sleep_slot);
        bus_api().flush_close_unref(bus);
    }

    static int on_prepare_for_sleep(sd_bus_message* message, void* self, sd_bus_error*)
    {
        int starting = 0;
        if (bus_api().message_read(message, "b", &starting) >= 0 && starting != 0)
            static_cast<State*>(self)->events.push_back(SessionEvent::suspending);
        return 0;
    }

    static int on_lock(sd_bus_message*, void* self, sd_bus_error*)
    {
        static_cast<State*>(self)->events.push_back(SessionEvent::screen_locked);
        return 0;
    }
};

bool logind_available() noexcept
{
    return true;
}

LogindWatch::LogindWatch(bool suspend, bool screen_lock) : state_(std::make_unique<State>())
{
    int result = bus_api().open_system(&state_->bus);
    if (result < 0)
        throw LogindError(std::string("cannot connect to the system D-Bus: ") + std::strerror(-result));
    if (suspend) {
        result = bus_api().match_signal(state_->bus, &state_->sleep_slot, logind_name, manager_path,
                                       manager_interface, "PrepareForSleep", &State::on_prepare_for_sleep,
                                       state_.get());
        if (result < 0)
            throw LogindError(std::string("cannot subscribe to logind's PrepareForSleep: ") + std::strerror(-result));
    }
    if (screen_lock) {
        state_->session_path = find_session(state_->bus);
        result = bus_api().match_signal(state_->bus, &state_->lock_slot, logind_name, state_->session_path.c_str(),
                                       session_interface, "Lock", &State::on_lock, state_.get());
        if (result < 0)
            throw LogindError("cannot subscribe to the Lock signal of " + state_->session_path + ": " +
                              std::strerror(-result));
    }
}

LogindWatch::~LogindWatch() = default;

int LogindWatch::fd() const noexcept
{
    return bus_api().get_fd(state_->bus);
}

std::vector<SessionEvent> LogindWatch::read_events()
{
    state_->events.clear();
    for (;;) {
        int result = bus_api().process(state_->bus, nullptr);
        if (result < 0)
            throw LogindError(std::string("lost the system D-Bus connection: ") + std::strerror(-result));
        if (result == 0)
            break;
    }
    return std::move(state_->events);
}

const std::string& LogindWatch::session_path() const noexcept
{
    return state_->session_path;
}

}  // namespace latchkey::platform
