// Tests for agent/config_options: the command line over config.toml, and what the server gets.
#include <doctest/doctest.h>

#include "agent/config_options.hpp"

using namespace latchkey::agent;
using namespace std::chrono_literals;

TEST_CASE("-t and -a win over the file; unset flags leave the file's values")
{
    Config file;
    file.lifetime = 1h;
    file.socket = "/file.sock";
    DaemonOptions none;
    CHECK(apply_command_line(file, none).lifetime == 1h);
    CHECK(apply_command_line(file, none).socket == "/file.sock");
    DaemonOptions flags;
    flags.lifetime = 5min;
    flags.bind_address = "/flag.sock";
    CHECK(apply_command_line(file, flags).lifetime == 5min);
    CHECK(apply_command_line(file, flags).socket == "/flag.sock");
}

TEST_CASE("the server gets lifetime, askpass and confirmation timeout; a reload the same")
{
    Config config;
    config.lifetime = 2h;
    config.askpass = "/bin/ask";
    config.confirm_timeout = 15s;
    DaemonOptions options;
    options.fingerprint_hash = FingerprintHash::md5;
    const ServerOptions server = server_options(config, options);
    CHECK(server.dispatcher.default_lifetime == 2h);
    CHECK(server.dispatcher.askpass_program == "/bin/ask");
    CHECK(server.dispatcher.fingerprint_hash == FingerprintHash::md5);
    CHECK(server.confirm_timeout == 15s);
    const LiveSettings live = live_settings(config);
    CHECK(live.default_lifetime == 2h);
    CHECK(live.askpass_program == "/bin/ask");
    CHECK(live.confirm_timeout == 15s);
}

TEST_CASE("log level: -d is debug; else the file's; else info in the foreground, warnings detached")
{
    Config config;
    CHECK(log_level(config, Foreground::quiet) == spdlog::level::info);
    CHECK(log_level(config, Foreground::no) == spdlog::level::warn);
    config.log_level = LogLevel::error;
    CHECK(log_level(config, Foreground::quiet) == spdlog::level::err);
    CHECK(log_level(config, Foreground::debug) == spdlog::level::debug);
}

TEST_CASE("without logind, suspend and screen-lock policies are refused; drop_after_idle is not")
{
    Config config;
    config.drop_after_idle = std::chrono::seconds(60);
    CHECK_NOTHROW(require_session_support(config, "c.toml", false));
    config.on_screen_lock = SessionAction::lock;
    CHECK_NOTHROW(require_session_support(config, "c.toml", true));
    CHECK_THROWS_WITH_AS(require_session_support(config, "c.toml", false),
                         doctest::Contains("c.toml: [session] on_suspend and on_screen_lock need logind"), ConfigError);
    config.on_screen_lock = SessionAction::keep;
    config.on_suspend = SessionAction::drop;
    CHECK_THROWS_AS(require_session_support(config, "c.toml", false), ConfigError);
}
