// ssh-add's choice between terminal and askpass, and the prompt that reads into locked memory.
#include "agent/client/passphrase.hpp"

#include <cstdlib>
#include <stdexcept>
#include <strings.h>

#include "platform/askpass_program.hpp"
#include "platform/passphrase_input.hpp"

namespace latchkey::agent::client {

namespace {

// Longest passphrase read (as OpenSSH's 1024-byte buffer); longer input is cut.
constexpr std::size_t max_passphrase_size = 1024;

bool equals_ignoring_case(const std::string& a, const char* b)
{
    return ::strcasecmp(a.c_str(), b) == 0;
}

bool set_and_not_empty(const char* name)
{
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0';
}

PassphraseEnvironment current_environment()
{
    PassphraseEnvironment environment;
    environment.display = set_and_not_empty("DISPLAY") || set_and_not_empty("WAYLAND_DISPLAY");
    const char* require = std::getenv("SSH_ASKPASS_REQUIRE");
    environment.askpass_require = require != nullptr ? require : "";
    environment.stdin_is_terminal = platform::stdin_is_terminal();
    return environment;
}

std::optional<SecretBytes> read_passphrase(const std::string& prompt)
{
    SecretBytes buffer(max_passphrase_size);
    std::optional<std::size_t> length;
    if (choose_passphrase_source(current_environment()) == PassphraseSource::askpass) {
        std::optional<std::string> program = platform::find_askpass_program();
        if (!program)
            throw std::runtime_error("no askpass program to ask for a passphrase: set SSH_ASKPASS, or run "
                                     "latchkey from a terminal");
        length = platform::read_askpass_passphrase(*program, prompt, buffer.view());
    } else {
        length = platform::read_terminal_passphrase(prompt, buffer.view());
    }
    if (!length)
        return std::nullopt;
    buffer.resize(*length);
    return buffer;
}

}  // namespace

PassphraseSource choose_passphrase_source(const PassphraseEnvironment& environment)
{
    bool allow_askpass = environment.display;
    bool use_askpass = false;
    if (equals_ignoring_case(environment.askpass_require, "force")) {
        use_askpass = true;
        allow_askpass = true;
    } else if (equals_ignoring_case(environment.askpass_require, "prefer")) {
        use_askpass = allow_askpass;
    } else if (equals_ignoring_case(environment.askpass_require, "never")) {
        allow_askpass = false;
    }
    if (!environment.stdin_is_terminal)
        use_askpass = true;
    return use_askpass && allow_askpass ? PassphraseSource::askpass : PassphraseSource::terminal;
}

PassphrasePrompt system_passphrase_prompt()
{
    return read_passphrase;
}

}  // namespace latchkey::agent::client
