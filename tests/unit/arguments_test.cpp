// Tests of latchkey's command line parsing: each subcommand, its options, help, and the usage errors.
#include <doctest/doctest.h>

#include "agent/client/arguments.hpp"

using namespace latchkey::agent::client;

namespace {

Command parse(std::vector<std::string> arguments)
{
    return parse_arguments(arguments);
}

// The subcommand whose usage a rejected command line shows (nullopt = overview); fails if it parses.
std::optional<Subcommand> usage_of(std::vector<std::string> arguments)
{
    try {
        parse_arguments(arguments);
    } catch (const UsageError& error) {
        CHECK(std::string(error.what()).size() > 0);
        return error.subcommand();
    }
    FAIL("parsed without a usage error");
    return std::nullopt;
}

}  // namespace

TEST_CASE("add: -c, -t in ssh-agent's time format, repeated -h, --deferred, files in order")
{
    Command command = parse({"add", "-c", "-t", "1h30m", "-h", "a>b@c", "key1", "-h", "d", "--deferred", "key2"});
    CHECK(command.subcommand == Subcommand::add);
    CHECK(command.confirm);
    CHECK(command.lifetime_seconds == 5400u);
    CHECK(command.destinations == std::vector<std::string>{"a>b@c", "d"});
    CHECK(command.deferred);
    CHECK(command.operands == std::vector<std::string>{"key1", "key2"});

    Command plain = parse({"add"});
    CHECK(plain.operands.empty());
    CHECK_FALSE(plain.confirm);
    CHECK_FALSE(plain.lifetime_seconds.has_value());
    CHECK(parse({"add", "--", "-c"}).operands == std::vector<std::string>{"-c"});
    CHECK(parse({"add", "-t", "90"}).lifetime_seconds == 90u);
}

TEST_CASE("add: bad lifetimes and missing values are usage errors of add")
{
    CHECK(usage_of({"add", "-t"}) == Subcommand::add);
    CHECK(usage_of({"add", "-t", "soon"}) == Subcommand::add);
    CHECK(usage_of({"add", "-t", "0"}) == Subcommand::add);
    CHECK(usage_of({"add", "-t", "99999999999"}) == Subcommand::add);
    CHECK(usage_of({"add", "-h"}) == Subcommand::add);
    CHECK(usage_of({"add", "--json"}) == Subcommand::add);
    CHECK(usage_of({"add", "-x"}) == Subcommand::add);
}

TEST_CASE("list and status take --json and nothing else")
{
    CHECK(parse({"list"}).subcommand == Subcommand::list);
    CHECK_FALSE(parse({"list"}).json);
    CHECK(parse({"list", "--json"}).json);
    CHECK(parse({"status", "--json"}).json);
    CHECK(parse({"status"}).subcommand == Subcommand::status);
    CHECK(usage_of({"list", "extra"}) == Subcommand::list);
    CHECK(usage_of({"status", "-c"}) == Subcommand::status);
}

TEST_CASE("remove needs operands; remove-all, lock and unlock take none")
{
    Command command = parse({"remove", "id_ed25519", "SHA256:abc"});
    CHECK(command.subcommand == Subcommand::remove);
    CHECK(command.operands == std::vector<std::string>{"id_ed25519", "SHA256:abc"});
    CHECK(usage_of({"remove"}) == Subcommand::remove);
    CHECK(parse({"remove-all"}).subcommand == Subcommand::remove_all);
    CHECK(parse({"lock"}).subcommand == Subcommand::lock);
    CHECK(parse({"unlock"}).subcommand == Subcommand::unlock);
    CHECK(usage_of({"remove-all", "x"}) == Subcommand::remove_all);
    CHECK(usage_of({"lock", "--json"}) == Subcommand::lock);
}

TEST_CASE("help: --help, -h, help SUBCOMMAND and SUBCOMMAND --help; --version")
{
    for (auto arguments : std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}}) {
        Command command = parse(arguments);
        CHECK(command.subcommand == Subcommand::help);
        CHECK_FALSE(command.help_for.has_value());
    }
    CHECK(parse({"help", "list"}).help_for == Subcommand::list);
    CHECK(parse({"list", "--help"}).help_for == Subcommand::list);
    CHECK(parse({"list", "-h"}).help_for == Subcommand::list);
    Command add_help = parse({"add", "--help", "-t", "never-parsed"});
    CHECK(add_help.subcommand == Subcommand::help);
    CHECK(add_help.help_for == Subcommand::add);
    CHECK(parse({"remove", "--help"}).subcommand == Subcommand::help);  // no operand needed for help
    CHECK(parse({"--version"}).subcommand == Subcommand::version);
    CHECK(usage_of({"help", "nonsense"}) == std::nullopt);
    CHECK(usage_of({"--version", "x"}) == std::nullopt);
}

TEST_CASE("no subcommand or an unknown one shows the overview")
{
    CHECK(usage_of({}) == std::nullopt);
    CHECK(usage_of({"frobnicate"}) == std::nullopt);
    CHECK(usage_of({"-c"}) == std::nullopt);
}

TEST_CASE("help texts: each subcommand's starts with its usage line; the overview names every subcommand")
{
    for (Subcommand subcommand : {Subcommand::add, Subcommand::list, Subcommand::remove, Subcommand::remove_all,
                                  Subcommand::lock, Subcommand::unlock, Subcommand::status}) {
        std::string name = subcommand_name(subcommand);
        CHECK(help_text(subcommand).starts_with("usage: latchkey " + name));
        CHECK(help_text(std::nullopt).find("  " + name) != std::string::npos);
        CHECK(parse({name, "--help"}).help_for == subcommand);
    }
}
