// config.toml through toml++: each setting checked as it is read, each error tied to its line.
#include "agent/config.hpp"

#include <toml++/toml.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string_view>
#include <utility>

#include "agent/duration.hpp"

namespace latchkey::agent {

namespace {

constexpr std::size_t min_locked_memory = 64 * 1024;
constexpr std::size_t max_locked_memory = 1024 * 1024 * 1024;
constexpr std::chrono::seconds max_confirm_timeout{24 * 60 * 60};

constexpr std::array log_level_names{"error", "warning", "info", "debug"};
constexpr std::array session_action_names{"keep", "lock", "drop"};

// Reads the settings of one table, with the file name for errors.
class TableReader {
public:
    TableReader(const toml::table& table, const std::string& file, std::string prefix)
        : table_(table), file_(file), prefix_(std::move(prefix))
    {
    }

    [[noreturn]] void fail(const toml::node& node, const std::string& what) const
    {
        throw ConfigError(file_ + ":" + std::to_string(node.source().begin.line) + ": " + what);
    }

    // Calls read(node) for each setting in `readers`; refuses any other key.
    void read_each(const std::map<std::string, std::function<void(const toml::node&)>, std::less<>>& readers) const
    {
        for (const auto& [key, node] : table_) {
            const auto reader = readers.find(key.str());
            if (reader == readers.end())
                fail(node, "unknown setting '" + prefix_ + std::string(key.str()) + "'");
            reader->second(node);
        }
    }

    std::string string(const toml::node& node, std::string_view name) const
    {
        const auto* value = node.as_string();
        if (value == nullptr || value->get().empty())
            fail(node, std::string(name) + " must be a non-empty string in quotes");
        return value->get();
    }

    bool boolean(const toml::node& node, std::string_view name) const
    {
        const auto* value = node.as_boolean();
        if (value == nullptr)
            fail(node, std::string(name) + " must be true or false");
        return value->get();
    }

    // A duration as latchkeyd -t takes it ("90", "30m", "1h30m") or a number of seconds.
    std::chrono::seconds duration(const toml::node& node, std::string_view name) const
    {
        std::optional<std::chrono::seconds> value;
        if (const auto* number = node.as_integer()) {
            if (number->get() >= 0 && number->get() <= INT32_MAX)
                value = std::chrono::seconds(number->get());
        } else if (const auto* text = node.as_string()) {
            value = parse_duration(text->get());
        }
        if (!value)
            fail(node, std::string(name) + " must be a duration such as \"90s\", \"30m\", \"1h30m\" or \"2d\"");
        return *value;
    }

    // A duration where 0 means none, as with latchkeyd -t 0.
    std::optional<std::chrono::seconds> optional_duration(const toml::node& node, std::string_view name) const
    {
        const std::chrono::seconds value = duration(node, name);
        return value.count() == 0 ? std::nullopt : std::optional(value);
    }

    template <std::size_t N>
    std::size_t choice(const toml::node& node, std::string_view name, const std::array<const char*, N>& names) const
    {
        const auto* value = node.as_string();
        for (std::size_t i = 0; value != nullptr && i < N; ++i) {
            if (value->get() == names[i])
                return i;
        }
        std::string allowed;
        for (const char* option : names)
            allowed += std::string(allowed.empty() ? "" : ", ") + "\"" + option + "\"";
        fail(node, std::string(name) + " must be one of " + allowed);
    }

    // A size in bytes: a number, or a string with KiB or MiB ("512KiB", "4MiB").
    std::size_t locked_memory(const toml::node& node) const
    {
        long long bytes = -1;
        if (const auto* number = node.as_integer()) {
            bytes = number->get();
        } else if (const auto* text = node.as_string()) {
            std::istringstream in(text->get());
            long long amount = -1;
            std::string unit;
            if (in >> amount && in >> unit && in.peek() == EOF && amount >= 0 && amount <= 1024 * 1024) {
                if (unit == "KiB")
                    bytes = amount * 1024;
                else if (unit == "MiB")
                    bytes = amount * 1024 * 1024;
            }
        }
        if (bytes < static_cast<long long>(min_locked_memory) || bytes > static_cast<long long>(max_locked_memory))
            fail(node, "locked_memory must be from \"64KiB\" to \"1024MiB\" (a number of bytes, or KiB/MiB in quotes)");
        return static_cast<std::size_t>(bytes);
    }

    const toml::table& table(const toml::node& node, std::string_view name) const
    {
        const auto* value = node.as_table();
        if (value == nullptr)
            fail(node, std::string(name) + " must be a table: [" + std::string(name) + "]");
        return *value;
    }

private:
    const toml::table& table_;
    const std::string& file_;
    std::string prefix_;
};

std::string expand_home(std::string path, const std::string& home)
{
    if (path.starts_with("~/") && !home.empty())
        return home + path.substr(1);
    return path;
}

std::string absolute_path(const TableReader& reader, const toml::node& node, std::string_view name,
                          const std::string& home)
{
    std::string path = expand_home(reader.string(node, name), home);
    if (!path.starts_with('/'))
        reader.fail(node, std::string(name) + " must be an absolute path or start with ~/");
    return path;
}

void read_confirm(Config& config, const toml::table& table, const std::string& file)
{
    const TableReader reader(table, file, "confirm.");
    reader.read_each({
        {"timeout", [&](const toml::node& node) {
             config.confirm_timeout = reader.duration(node, "confirm.timeout");
             if (config.confirm_timeout.count() == 0 || config.confirm_timeout > max_confirm_timeout)
                 reader.fail(node, "confirm.timeout must be from 1 second to 1 day");
         }},
        {"askpass", [&](const toml::node& node) { config.askpass = reader.string(node, "confirm.askpass"); }},
    });
}

void read_session(Config& config, const toml::table& table, const std::string& file)
{
    const TableReader reader(table, file, "session.");
    reader.read_each({
        {"on_suspend", [&](const toml::node& node) {
             config.on_suspend = SessionAction(reader.choice(node, "session.on_suspend", session_action_names));
         }},
        {"on_screen_lock", [&](const toml::node& node) {
             config.on_screen_lock = SessionAction(reader.choice(node, "session.on_screen_lock", session_action_names));
         }},
        {"drop_after_idle", [&](const toml::node& node) {
             config.drop_after_idle = reader.optional_duration(node, "session.drop_after_idle");
         }},
    });
}

std::vector<std::string> read_destinations(const TableReader& reader, const toml::node& node)
{
    const auto* array = node.as_array();
    if (array == nullptr)
        reader.fail(node, "key.destinations must be a list of hosts, e.g. [\"github.com\", \"me@build\"]");
    std::vector<std::string> destinations;
    for (const toml::node& item : *array) {
        std::string destination = reader.string(item, "each of key.destinations");
        if (destination.find_first_of(" \t") != std::string::npos)
            reader.fail(item, "key.destinations: '" + destination + "' holds a space; write one host per string");
        destinations.push_back(std::move(destination));
    }
    return destinations;
}

PreloadKey read_key(const toml::table& table, const std::string& file, const std::string& home)
{
    const TableReader reader(table, file, "key.");
    PreloadKey key;
    reader.read_each({
        {"path", [&](const toml::node& node) { key.path = absolute_path(reader, node, "key.path", home); }},
        {"lifetime", [&](const toml::node& node) { key.lifetime = reader.optional_duration(node, "key.lifetime"); }},
        {"confirm", [&](const toml::node& node) { key.confirm = reader.boolean(node, "key.confirm"); }},
        {"destinations", [&](const toml::node& node) { key.destinations = read_destinations(reader, node); }},
    });
    if (key.path.empty())
        reader.fail(table, "a [[key]] needs path = \"~/.ssh/…\"");
    return key;
}

void read_keys(Config& config, const TableReader& reader, const toml::node& node, const std::string& file,
               const std::string& home)
{
    const auto* array = node.as_array();
    if (array == nullptr || !array->is_array_of_tables())
        reader.fail(node, "key must be written as [[key]] tables");
    for (const toml::node& item : *array) {
        if (config.keys.size() == max_preload_keys)
            reader.fail(item, "more than " + std::to_string(max_preload_keys) + " [[key]] tables");
        config.keys.push_back(read_key(*item.as_table(), file, home));
    }
}

std::string format_duration(std::chrono::seconds duration)
{
    constexpr std::array<std::pair<long long, char>, 4> units{{{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}};
    long long left = duration.count();
    std::string text;
    for (const auto& [seconds, letter] : units) {
        if (left >= seconds) {
            text += std::to_string(left / seconds) + letter;
            left %= seconds;
        }
    }
    return text.empty() ? "0s" : text;
}

// text as a TOML basic string: in double quotes, with quotes, backslashes and control characters escaped.
std::string quoted(std::string_view text)
{
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            constexpr std::string_view hex = "0123456789ABCDEF";
            out += "\\u00";
            out += hex[static_cast<unsigned char>(c) >> 4];
            out += hex[static_cast<unsigned char>(c) & 0xf];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string format_locked_memory(std::size_t bytes)
{
    if (bytes % (1024 * 1024) == 0)
        return quoted(std::to_string(bytes / (1024 * 1024)) + "MiB");
    if (bytes % 1024 == 0)
        return quoted(std::to_string(bytes / 1024) + "KiB");
    return std::to_string(bytes);
}

std::string optional_line(std::string_view name, const std::optional<std::string>& value, std::string_view otherwise)
{
    if (value)
        return std::string(name) + " = " + *value + "\n";
    return "# " + std::string(name) + ": not set, " + std::string(otherwise) + "\n";
}

std::optional<std::string> quoted_duration(const std::optional<std::chrono::seconds>& duration)
{
    if (!duration)
        return std::nullopt;
    return quoted(format_duration(*duration));
}

std::optional<std::string> quoted_text(const std::optional<std::string>& text)
{
    if (!text)
        return std::nullopt;
    return quoted(*text);
}

}  // namespace

Config parse_config(std::string_view text, const std::string& file, const std::string& home)
{
    if (text.size() > max_config_size)
        throw ConfigError(file + ": larger than " + std::to_string(max_config_size / 1024) +
                          " KiB; is this the right file?");
    toml::table root;
    try {
        root = toml::parse(text, file);
    } catch (const toml::parse_error& error) {
        throw ConfigError(file + ":" + std::to_string(error.source().begin.line) + ": " +
                          std::string(error.description()));
    }
    Config config;
    const TableReader reader(root, file, "");
    reader.read_each({
        {"lifetime", [&](const toml::node& node) { config.lifetime = reader.optional_duration(node, "lifetime"); }},
        {"log_level", [&](const toml::node& node) {
             config.log_level = LogLevel(reader.choice(node, "log_level", log_level_names));
         }},
        {"locked_memory", [&](const toml::node& node) { config.locked_memory = reader.locked_memory(node); }},
        {"socket", [&](const toml::node& node) { config.socket = absolute_path(reader, node, "socket", home); }},
        {"confirm", [&](const toml::node& node) { read_confirm(config, reader.table(node, "confirm"), file); }},
        {"session", [&](const toml::node& node) { read_session(config, reader.table(node, "session"), file); }},
        {"key", [&](const toml::node& node) { read_keys(config, reader, node, file, home); }},
    });
    return config;
}

std::string config_path(const char* xdg_config_home, const char* home)
{
    if (xdg_config_home != nullptr && *xdg_config_home != '\0')
        return std::string(xdg_config_home) + "/latchkey/config.toml";
    if (home != nullptr && *home != '\0')
        return std::string(home) + "/.config/latchkey/config.toml";
    return {};
}

Config load_config(const std::string& path, const std::string& home)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (errno == ENOENT)
            return {};
        throw ConfigError(path + ": cannot read it: " + std::strerror(errno));
    }
    std::string text(max_config_size + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad())
        throw ConfigError(path + ": cannot read it");
    text.resize(static_cast<std::size_t>(in.gcount()));
    return parse_config(text, path, home);
}

std::string format_config(const Config& config)
{
    std::string out;
    out += optional_line("lifetime", quoted_duration(config.lifetime), "keys stay until removed");
    out += optional_line("log_level",
                         config.log_level ? std::optional<std::string>(quoted(log_level_names[std::size_t(*config.log_level)]))
                                          : std::nullopt,
                         "info with -D, warnings only when detached, debug with -d");
    out += "locked_memory = " + format_locked_memory(config.locked_memory) + "\n";
    out += optional_line("socket", quoted_text(config.socket), "a fresh private directory per agent (or -a)");
    out += "\n[confirm]\ntimeout = " + quoted(format_duration(config.confirm_timeout)) + "\n";
    out += optional_line("askpass", quoted_text(config.askpass), "$SSH_ASKPASS, else ssh-askpass on PATH");
    out += "\n[session]\n";
    out += "on_suspend = " + quoted(session_action_names[std::size_t(config.on_suspend)]) + "\n";
    out += "on_screen_lock = " + quoted(session_action_names[std::size_t(config.on_screen_lock)]) + "\n";
    out += optional_line("drop_after_idle", quoted_duration(config.drop_after_idle), "keys are kept however long idle");
    for (const PreloadKey& key : config.keys) {
        out += "\n[[key]]\npath = " + quoted(key.path) + "\n";
        if (key.lifetime)
            out += "lifetime = " + quoted(format_duration(*key.lifetime)) + "\n";
        out += std::string("confirm = ") + (key.confirm ? "true" : "false") + "\n";
        if (!key.destinations.empty()) {
            std::string list;
            for (const std::string& destination : key.destinations)
                list += (list.empty() ? "" : ", ") + quoted(destination);
            out += "destinations = [" + list + "]\n";
        }
    }
    return out;
}

}  // namespace latchkey::agent
