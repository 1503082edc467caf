// Tests of agent/daemon_options: ssh-agent's command line, parsed as its getopt does.
#include <doctest/doctest.h>

#include "agent/daemon_options.hpp"

using namespace latchkey::agent;
using Args = std::vector<std::string>;

namespace {

// The UsageError parse_daemon_options throws for args; fails the test if it accepts them.
UsageError refusal(const Args& args)
{
    try {
        parse_daemon_options(args);
    } catch (const UsageError& error) {
        return error;
    }
    FAIL("accepted");
    return UsageError("", false);
}

}  // namespace

TEST_CASE("no arguments: a forked agent with the defaults")
{
    const DaemonOptions options = parse_daemon_options({});
    CHECK(options.mode == DaemonMode::agent);
    CHECK_FALSE(options.shell.has_value());
    CHECK(options.foreground == Foreground::no);
    CHECK_FALSE(options.bind_address.has_value());
    CHECK(options.fingerprint_hash == FingerprintHash::sha256);
    CHECK_FALSE(options.lifetime.has_value());
    CHECK_FALSE(options.allowed_providers.has_value());
    CHECK(options.agent_options.empty());
    CHECK(options.command.empty());
}

TEST_CASE("every option, separate and attached")
{
    const DaemonOptions options = parse_daemon_options(
        {"-s", "-D", "-a", "/run/a.sock", "-E", "MD5", "-t", "1h30m", "-P/usr/lib/*", "-Oallow-remote-pkcs11",
         "-O", "websafe-allow=ssh:*"});
    CHECK(options.shell == ShellStyle::bourne);
    CHECK(options.foreground == Foreground::quiet);
    CHECK(options.bind_address == "/run/a.sock");
    CHECK(options.fingerprint_hash == FingerprintHash::md5);
    CHECK(options.lifetime == std::chrono::seconds(5400));
    CHECK(options.allowed_providers == "/usr/lib/*");
    CHECK(options.agent_options == Args {"allow-remote-pkcs11", "websafe-allow=ssh:*"});
}

TEST_CASE("bundled flags, with an option argument ending the bundle")
{
    const DaemonOptions options = parse_daemon_options({"-cdt5m"});
    CHECK(options.shell == ShellStyle::csh);
    CHECK(options.foreground == Foreground::debug);
    CHECK(options.lifetime == std::chrono::seconds(300));
    CHECK(parse_daemon_options({"-ka", "/x"}).bind_address == "/x");
}

TEST_CASE("-t 0 means no default lifetime, as in ssh-agent")
{
    CHECK_FALSE(parse_daemon_options({"-t", "0"}).lifetime.has_value());
    CHECK(parse_daemon_options({"-t", "60"}).lifetime == std::chrono::seconds(60));
}

TEST_CASE("the first non-option starts the command; its own options stay its own")
{
    const DaemonOptions options = parse_daemon_options({"-t", "10", "ssh", "-A", "host", "--", "-s"});
    CHECK(options.command == Args {"ssh", "-A", "host", "--", "-s"});
    CHECK(parse_daemon_options({"--", "-weird", "-D"}).command == Args {"-weird", "-D"});
    CHECK(parse_daemon_options({"-"}).command == Args {"-"});
    CHECK(parse_daemon_options({"-a", "/s", "sh"}).command == Args {"sh"});
}

TEST_CASE("-k, -V and --help select their mode")
{
    CHECK(parse_daemon_options({"-k"}).mode == DaemonMode::kill);
    CHECK(parse_daemon_options({"-c", "-k"}).shell == ShellStyle::csh);
    CHECK(parse_daemon_options({"-V"}).mode == DaemonMode::version);
    CHECK(parse_daemon_options({"-V", "-x"}).mode == DaemonMode::version);
    CHECK(parse_daemon_options({"--help"}).mode == DaemonMode::help);
    CHECK(parse_daemon_options({"-s", "--help", "-x"}).mode == DaemonMode::help);
    CHECK(parse_daemon_options({"sh", "--help"}).command == Args {"sh", "--help"});
}

TEST_CASE("getopt's messages for unknown options and missing arguments, then the usage")
{
    UsageError unknown = refusal({"-h"});
    CHECK(std::string(unknown.what()) == "unknown option -- h");
    CHECK(unknown.show_usage());
    CHECK(std::string(refusal({"-sx"}).what()) == "unknown option -- x");
    CHECK(std::string(refusal({"--verbose"}).what()) == "unknown option -- -");
    for (const char* letter : {"a", "E", "O", "P", "t"}) {
        UsageError missing = refusal({std::string("-") + letter});
        CHECK(std::string(missing.what()) == std::string("option requires an argument -- ") + letter);
        CHECK(missing.show_usage());
    }
}

TEST_CASE("conflicting flags print the usage alone, as in ssh-agent")
{
    for (const Args& args : {Args {"-c", "-s"}, Args {"-sc"}, Args {"-d", "-D"}, Args {"-D", "-D"}, Args {"-dd"},
                             Args {"-s", "sh"}, Args {"-c", "sh"}, Args {"-D", "sh"}, Args {"-d", "sh"},
                             Args {"-k", "sh"}}) {
        CAPTURE(args.front());
        UsageError error = refusal(args);
        CHECK(std::string(error.what()).empty());
        CHECK(error.show_usage());
    }
    CHECK(parse_daemon_options({"-s", "-s"}).shell == ShellStyle::bourne);
}

TEST_CASE("bad values get ssh-agent's messages")
{
    UsageError lifetime = refusal({"-t", "1x"});
    CHECK(std::string(lifetime.what()) == "Invalid lifetime");
    CHECK(lifetime.show_usage());

    UsageError hash = refusal({"-E", "sha512"});
    CHECK(std::string(hash.what()) == "Invalid hash algorithm \"sha512\"");
    CHECK_FALSE(hash.show_usage());

    UsageError provider = refusal({"-P", "a", "-P", "b"});
    CHECK(std::string(provider.what()) == "-P option already specified");
    CHECK_FALSE(provider.show_usage());

    UsageError option = refusal({"-O", "frobnicate"});
    CHECK(std::string(option.what()) == "Unknown -O option");
    CHECK_FALSE(option.show_usage());
    CHECK(parse_daemon_options({"-O", "no-restrict-websafe"}).agent_options == Args {"no-restrict-websafe"});
}

TEST_CASE("-O locked-memory=SIZE sets the locked heap size; bad sizes are refused with the range")
{
    CHECK_FALSE(parse_daemon_options({"-D"}).locked_memory.has_value());
    CHECK(parse_daemon_options({"-O", "locked-memory=4M"}).locked_memory == 4u * 1024 * 1024);
    CHECK(parse_daemon_options({"-Olocked-memory=512k"}).locked_memory == 512u * 1024);
    CHECK(parse_daemon_options({"-O", "locked-memory=1G"}).locked_memory == 1024u * 1024 * 1024);
    CHECK(parse_daemon_options({"-O", "locked-memory=65536"}).locked_memory == 65536u);
    for (const char* bad : {"locked-memory=", "locked-memory=4X", "locked-memory=4MB", "locked-memory=-1",
                            "locked-memory=63K", "locked-memory=2G", "locked-memory=1048577K", "locked-memory=M"}) {
        CAPTURE(bad);
        UsageError error = refusal({"-O", bad});
        CHECK(std::string(error.what()).find("give 64K to 1G") != std::string::npos);
        CHECK_FALSE(error.show_usage());
    }
}

TEST_CASE("-O shield-delay=TIME takes a time as -t does, zero included")
{
    CHECK_FALSE(parse_daemon_options({"-D"}).shield_delay.has_value());
    CHECK(parse_daemon_options({"-O", "shield-delay=0"}).shield_delay == std::chrono::seconds(0));
    CHECK(parse_daemon_options({"-Oshield-delay=1m30s"}).shield_delay == std::chrono::seconds(90));
    for (const char* bad : {"shield-delay=", "shield-delay=-1", "shield-delay=soon"}) {
        CAPTURE(bad);
        UsageError error = refusal({"-O", bad});
        CHECK(std::string(error.what()).find("Invalid shield-delay") != std::string::npos);
    }
}

TEST_CASE("$SSH_AGENT_PID for -k, with ssh-agent's messages")
{
    CHECK(agent_pid_to_kill("1234") == 1234);
    CHECK(agent_pid_to_kill("2") == 2);
    CHECK(agent_pid_to_kill("2147483647") == 2147483647);
    CHECK_THROWS_WITH(agent_pid_to_kill(nullptr), "SSH_AGENT_PID not set, cannot kill agent");
    CHECK_THROWS_WITH(agent_pid_to_kill("abc"), "SSH_AGENT_PID=\"abc\", which is not a good PID: invalid");
    CHECK_THROWS_WITH(agent_pid_to_kill(""), "SSH_AGENT_PID=\"\", which is not a good PID: invalid");
    CHECK_THROWS_WITH(agent_pid_to_kill("12x"), "SSH_AGENT_PID=\"12x\", which is not a good PID: invalid");
    CHECK_THROWS_WITH(agent_pid_to_kill("1"), "SSH_AGENT_PID=\"1\", which is not a good PID: too small");
    CHECK_THROWS_WITH(agent_pid_to_kill("-5"), "SSH_AGENT_PID=\"-5\", which is not a good PID: too small");
    CHECK_THROWS_WITH(agent_pid_to_kill("2147483648"), "SSH_AGENT_PID=\"2147483648\", which is not a good PID: too large");
    CHECK_THROWS_WITH(agent_pid_to_kill("99999999999999999999"),
                      "SSH_AGENT_PID=\"99999999999999999999\", which is not a good PID: too large");
}

TEST_CASE("usage keeps ssh-agent's layout; --help adds a description")
{
    const std::string usage = usage_text();
    CHECK(usage.starts_with("usage: latchkeyd [-c | -s] [-Dd] [-a bind_address] [-E fingerprint_hash]\n"));
    CHECK(usage.find("       latchkeyd [-c | -s] -k\n") != std::string::npos);
    CHECK(help_text().find(usage) != std::string::npos);
}

TEST_CASE("--confirm-timeout and --askpass, latchkeyd's own long options")
{
    const DaemonOptions none = parse_daemon_options({"-D"});
    CHECK_FALSE(none.confirm_timeout.has_value());
    CHECK_FALSE(none.askpass_program.has_value());

    const DaemonOptions attached = parse_daemon_options({"--confirm-timeout=2m", "--askpass=/bin/ask", "-D"});
    CHECK(attached.confirm_timeout == std::chrono::seconds(120));
    CHECK(attached.askpass_program == "/bin/ask");
    CHECK(attached.foreground == Foreground::quiet);

    const DaemonOptions separate = parse_daemon_options({"-a", "s", "--confirm-timeout", "15", "--askpass", "ask", "sh"});
    CHECK(separate.confirm_timeout == std::chrono::seconds(15));
    CHECK(separate.askpass_program == "ask");
    CHECK(separate.bind_address == "s");
    CHECK(separate.command == Args {"sh"});

    CHECK(std::string(refusal({"--confirm-timeout=0"}).what()).starts_with("Invalid confirmation timeout \"0\""));
    CHECK(std::string(refusal({"--confirm-timeout", "soon"}).what()).starts_with("Invalid confirmation timeout"));
    CHECK(std::string(refusal({"--askpass="}).what()) == "--askpass needs a program");
    CHECK(std::string(refusal({"--askpass"}).what()) == "option requires an argument -- askpass");
    // After the command starts they belong to the command.
    CHECK(parse_daemon_options({"sh", "--askpass=x"}).command == Args {"sh", "--askpass=x"});
}

TEST_CASE("--check-config selects its mode and keeps -t and -a, which it shows; a command is refused")
{
    const DaemonOptions options = parse_daemon_options({"-t", "1h", "--check-config", "-a", "/tmp/s"});
    CHECK(options.mode == DaemonMode::check_config);
    CHECK(options.lifetime == std::chrono::hours(1));
    CHECK(options.bind_address == "/tmp/s");
    CHECK(refusal({"--check-config", "sh"}).show_usage());
}
