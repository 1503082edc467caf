// latchkey, the client: parses the subcommand, protects the process's secrets, connects to the agent, runs it.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "agent/client/commands.hpp"
#include "agent/locked_secrets.hpp"
#include "platform/hardening.hpp"
#include "platform/standard_streams.hpp"

namespace {

using namespace latchkey;
using namespace latchkey::agent::client;

std::string environment_value(const char* name)
{
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
}

std::uint64_t unix_now()
{
    auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count());
}

int run(const Command& command)
{
    if (command.subcommand == Subcommand::help) {
        std::cout << help_text(command.help_for);
        return exit_success;
    }
    if (command.subcommand == Subcommand::version) {
        std::cout << "latchkey " LATCHKEY_VERSION "\n";
        return exit_success;
    }
    // Decrypted keys and passphrases pass through this process: keep them in locked, undumpable memory.
    platform::harden_process();
    agent::use_locked_memory_for_secrets();
    AgentClient agent = AgentClient::connect(environment_value("SSH_AUTH_SOCK"));
    // Windows has USERPROFILE where Unix has HOME (ssh looks for ~/.ssh there).
    std::string home = environment_value("HOME");
    if (home.empty())
        home = environment_value("USERPROFILE");
    ClientContext context{home, system_passphrase_prompt(), std::cout, std::cerr, unix_now()};
    return run_command(command, agent, context);
}

}  // namespace

int main(int argc, char** argv)
{
    spdlog::set_level(spdlog::level::off);  // the key readers log nothing a user needs; errors are returned
    try {
        platform::prepare_standard_streams();
        return run(parse_arguments({argv + 1, argv + argc}));
    } catch (const UsageError& error) {
        std::cerr << "latchkey: " << error.what() << "\n" << help_text(error.subcommand());
        return exit_failure;
    } catch (const AgentUnreachable& error) {
        std::cerr << error.what() << "\n";
        return exit_unreachable;
    } catch (const std::exception& error) {
        std::cerr << "latchkey: " << error.what() << "\n";
        return exit_failure;
    }
}
