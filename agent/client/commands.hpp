// Running one parsed latchkey subcommand against the agent.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "agent/client/agent_client.hpp"
#include "agent/client/arguments.hpp"
#include "agent/client/passphrase.hpp"

namespace latchkey::agent::client {

// Exit statuses, as ssh-add's where they overlap.
inline constexpr int exit_success = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_unreachable = 2;

// What a subcommand may use besides the agent: where keys and messages go, how to ask for passphrases.
struct ClientContext {
    std::string home;             // $HOME, for the default key files
    PassphrasePrompt prompt;      // passphrases (add) and lock passphrases (lock, unlock)
    std::ostream& out;            // listings and status
    std::ostream& err;            // ssh-add's messages ("Identity added: ...") and errors
    std::uint64_t now = 0;        // Unix seconds, for certificate validity
};

// Runs `command` (any subcommand but help and version) against `agent` and returns its exit status.
// Problems with one key file are reported on err and make the status 1 without stopping the others.
// Throws AgentUnreachable if the connection breaks; what the prompt throws.
int run_command(const Command& command, AgentClient& agent, ClientContext& context);

// latchkey add (in add_command.cpp).
int run_add(const Command& command, AgentClient& agent, ClientContext& context);

}  // namespace latchkey::agent::client
