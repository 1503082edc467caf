// Where the client reads passphrases from (ssh-add's read_passphrase rules) and how it asks.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "protocol/secret_bytes.hpp"

namespace latchkey::agent::client {

enum class PassphraseSource { terminal, askpass };

// What decides the source, from the environment and standard input.
struct PassphraseEnvironment {
    bool display = false;            // DISPLAY or WAYLAND_DISPLAY set and not empty
    std::string askpass_require;     // SSH_ASKPASS_REQUIRE ("" = unset)
    bool stdin_is_terminal = true;
};

// ssh-add's rules (OpenSSH readpass.c, read_passphrase with RP_ALLOW_STDIN): askpass may be used with a
// display, or always with SSH_ASKPASS_REQUIRE=force, never with =never; it is used when standard input is
// not a terminal, or with =prefer whenever it may be, or with =force. Otherwise the terminal. Never fails.
PassphraseSource choose_passphrase_source(const PassphraseEnvironment& environment);

// Asks for a passphrase with a prompt such as "Enter passphrase for FILE: ". Returns nullopt when the user
// gives up (end of input, askpass cancelled); an empty passphrase is returned as such.
using PassphrasePrompt = std::function<std::optional<SecretBytes>(const std::string& prompt)>;

// The real prompt: reads the environment (DISPLAY, WAYLAND_DISPLAY, SSH_ASKPASS_REQUIRE, SSH_ASKPASS)
// at each call and reads from the terminal without echo or from the askpass program ($SSH_ASKPASS, else
// OpenSSH's default), into locked memory. Throws std::runtime_error if askpass is required and there is
// no askpass program, or it cannot be started.
PassphrasePrompt system_passphrase_prompt();

}  // namespace latchkey::agent::client
