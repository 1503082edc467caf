// Tests for agent/config: config.toml parsed, each wrong line named, and printed back.
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "agent/config.hpp"

using namespace latchkey::agent;
using namespace std::chrono_literals;

namespace {

Config parse(const std::string& text)
{
    return parse_config(text, "config.toml", "/home/u");
}

// The message parse_config throws for text; "" if it accepts it.
std::string error_for(const std::string& text)
{
    try {
        parse(text);
    } catch (const ConfigError& error) {
        return error.what();
    }
    return {};
}

const char* const full_file = R"(# every setting
lifetime = "1h30m"
log_level = "debug"
locked_memory = "4MiB"
socket = "~/agent.sock"

[confirm]
timeout = 30
askpass = "/usr/bin/ssh-askpass"

[session]
on_suspend = "drop"
on_screen_lock = "lock"
drop_after_idle = "2h"

[[key]]
path = "~/.ssh/id_ed25519"
confirm = true
destinations = ["github.com", "me@build"]

[[key]]
path = "/keys/work \"old\"\t.ppk"
lifetime = "8h"
)";

}  // namespace

TEST_CASE("an empty file gives the defaults")
{
    const Config config = parse("");
    CHECK_FALSE(config.lifetime);
    CHECK_FALSE(config.log_level);
    CHECK(config.locked_memory == default_locked_heap_size);
    CHECK_FALSE(config.socket);
    CHECK(config.confirm_timeout == 60s);
    CHECK_FALSE(config.askpass);
    CHECK(config.on_suspend == SessionAction::keep);
    CHECK(config.on_screen_lock == SessionAction::keep);
    CHECK_FALSE(config.drop_after_idle);
    CHECK(config.keys.empty());
}

TEST_CASE("every setting is read, ~/ expanded against the home directory")
{
    const Config config = parse(full_file);
    CHECK(config.lifetime == 5400s);
    CHECK(config.log_level == LogLevel::debug);
    CHECK(config.locked_memory == 4u * 1024 * 1024);
    CHECK(config.socket == "/home/u/agent.sock");
    CHECK(config.confirm_timeout == 30s);
    CHECK(config.askpass == "/usr/bin/ssh-askpass");
    CHECK(config.on_suspend == SessionAction::drop);
    CHECK(config.on_screen_lock == SessionAction::lock);
    CHECK(config.drop_after_idle == 7200s);
    REQUIRE(config.keys.size() == 2);
    CHECK(config.keys[0].path == "/home/u/.ssh/id_ed25519");
    CHECK(config.keys[0].confirm);
    CHECK_FALSE(config.keys[0].lifetime);
    CHECK(config.keys[0].destinations == std::vector<std::string>{"github.com", "me@build"});
    CHECK(config.keys[1].path == "/keys/work \"old\"\t.ppk");
    CHECK(config.keys[1].lifetime == 8h);
    CHECK_FALSE(config.keys[1].confirm);
    CHECK(config.keys[1].destinations.empty());
}

TEST_CASE("a lifetime of 0 means none, as latchkeyd -t 0; locked_memory takes KiB or plain bytes")
{
    CHECK_FALSE(parse("lifetime = 0").lifetime);
    CHECK(parse("locked_memory = \"512KiB\"").locked_memory == 512u * 1024);
    CHECK(parse("locked_memory = 1048576").locked_memory == 1024u * 1024);
}

TEST_CASE("each wrong line is named with what is allowed")
{
    CHECK(error_for("lifetime = \"1h\"\nlifetime = \"2h\"\n").starts_with("config.toml:2: "));
    CHECK(error_for("lifetime = \"soon\"") ==
          "config.toml:1: lifetime must be a duration such as \"90s\", \"30m\", \"1h30m\" or \"2d\"");
    CHECK(error_for("lifetime = -5") ==
          "config.toml:1: lifetime must be a duration such as \"90s\", \"30m\", \"1h30m\" or \"2d\"");
    CHECK(error_for("\nlog_level = \"loud\"") ==
          "config.toml:2: log_level must be one of \"error\", \"warning\", \"info\", \"debug\"");
    CHECK(error_for("locked_memory = \"2GiB\"").starts_with("config.toml:1: locked_memory must be from"));
    CHECK(error_for("locked_memory = 1024").starts_with("config.toml:1: locked_memory must be from"));
    CHECK(error_for("socket = \"relative/agent.sock\"") ==
          "config.toml:1: socket must be an absolute path or start with ~/");
    CHECK(error_for("socket = \"\"") == "config.toml:1: socket must be a non-empty string in quotes");
    CHECK(error_for("[confirm]\ntimeout = 0") == "config.toml:2: confirm.timeout must be from 1 second to 1 day");
    CHECK(error_for("[confirm]\ntimeout = \"2d\"") == "config.toml:2: confirm.timeout must be from 1 second to 1 day");
    CHECK(error_for("[confirm]\naskpass = 3") == "config.toml:2: confirm.askpass must be a non-empty string in quotes");
    CHECK(error_for("[session]\n\non_suspend = \"sleep\"") ==
          "config.toml:3: session.on_suspend must be one of \"keep\", \"lock\", \"drop\"");
    CHECK(error_for("[session]\non_screen_lock = true").starts_with("config.toml:2: session.on_screen_lock must be"));
    CHECK(error_for("[session]\ndrop_after_idle = \"x\"").starts_with("config.toml:2: session.drop_after_idle must"));
    CHECK(error_for("[session]\nlock_on_suspend = true") == "config.toml:2: unknown setting 'session.lock_on_suspend'");
    CHECK(error_for("confirm = 1") == "config.toml:1: confirm must be a table: [confirm]");
    CHECK(error_for("key = 1") == "config.toml:1: key must be written as [[key]] tables");
    CHECK(error_for("[[key]]\nconfirm = true") == "config.toml:1: a [[key]] needs path = \"~/.ssh/…\"");
    CHECK(error_for("[[key]]\npath = \"~/k\"\nconfirm = \"yes\"") == "config.toml:3: key.confirm must be true or false");
    CHECK(error_for("[[key]]\npath = \"~/k\"\ndestinations = \"github.com\"").starts_with(
        "config.toml:3: key.destinations must be a list of hosts"));
    CHECK(error_for("[[key]]\npath = \"~/k\"\ndestinations = [\"a b\"]") ==
          "config.toml:3: key.destinations: 'a b' holds a space; write one host per string");
    CHECK(error_for("[[key]]\npath = \"~/k\"\nsize = 1") == "config.toml:3: unknown setting 'key.size'");
    CHECK(error_for("\n\nlifetim = \"1h\"") == "config.toml:3: unknown setting 'lifetim'");
}

TEST_CASE("TOML syntax errors name their line")
{
    CHECK(error_for("lifetime = \"1h\"\n[session\n").starts_with("config.toml:2: "));
    CHECK(error_for("a = = 1").starts_with("config.toml:1: "));
}

TEST_CASE("the parser is bounded: file size and number of keys")
{
    CHECK(error_for(std::string(max_config_size + 1, '#')).find("larger than") != std::string::npos);
    std::string keys;
    for (std::size_t i = 0; i <= max_preload_keys; ++i)
        keys += "[[key]]\npath = \"/k" + std::to_string(i) + "\"\n";
    CHECK(error_for(keys) == "config.toml:" + std::to_string(2 * max_preload_keys + 1) + ": more than " +
                                 std::to_string(max_preload_keys) + " [[key]] tables");
}

TEST_CASE("format_config prints a file that parses back to the same configuration")
{
    const std::string once = format_config(parse(full_file));
    CHECK(format_config(parse(once)) == once);
    CHECK(once.find("lifetime = \"1h30m\"") != std::string::npos);
    const std::string defaults = format_config(parse(""));
    CHECK(format_config(parse(defaults)) == defaults);
    CHECK(defaults.find("# lifetime: not set") != std::string::npos);
}

TEST_CASE("config_path follows XDG_CONFIG_HOME, then HOME")
{
    CHECK(config_path("/x", "/home/u") == "/x/latchkey/config.toml");
    CHECK(config_path("", "/home/u") == "/home/u/.config/latchkey/config.toml");
    CHECK(config_path(nullptr, "/home/u") == "/home/u/.config/latchkey/config.toml");
    CHECK(config_path(nullptr, nullptr).empty());
}

TEST_CASE("doc/config.example.toml parses as it is, and with every setting uncommented")
{
    std::ifstream file(LATCHKEY_TEST_DATA "/../../doc/config.example.toml");
    REQUIRE(file);
    std::string text;
    std::string uncommented;
    for (std::string line; std::getline(file, line);) {
        text += line + "\n";
        // "#name = …" and "#[table]" are settings; "# …" is prose.
        const bool setting = line.size() > 1 && line[0] == '#' && line[1] != ' ';
        uncommented += (setting ? line.substr(1) : line) + "\n";
    }
    const Config defaults = parse(text);
    CHECK(format_config(defaults) == format_config(Config{}));
    const Config example = parse(uncommented);
    CHECK(example.lifetime == 8h);
    CHECK(example.confirm_timeout == 60s);
    CHECK(example.drop_after_idle == 30min);
    REQUIRE(example.keys.size() == 1);
    CHECK(example.keys[0].path == "/home/u/.ssh/id_ed25519");
    CHECK(example.keys[0].destinations.size() == 2);
}

TEST_CASE("every prefix and many byte flips of a file give a configuration or a ConfigError, nothing else")
{
    const std::string file = full_file;
    std::size_t refused = 0;
    auto check = [&](const std::string& text) {
        try {
            parse(text);
        } catch (const ConfigError& error) {
            CHECK(std::string(error.what()).starts_with("config.toml:"));
            ++refused;
        }
    };
    for (std::size_t length = 0; length <= file.size(); ++length)
        check(file.substr(0, length));
    std::uint32_t state = 12345;  // a fixed xorshift sequence, so a failure repeats
    for (int round = 0; round < 2000; ++round) {
        std::string text = file;
        for (int flips = 0; flips < 3; ++flips) {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            text[state % text.size()] = static_cast<char>(state >> 24);
        }
        check(text);
    }
    CHECK(refused > 0);
}
