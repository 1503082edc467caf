// What an askpass program answered, and how an answer reads as a confirmation or a passphrase.
#pragma once

#include <optional>

#include "protocol/secret_bytes.hpp"

namespace latchkey::agent {

// The askpass's exit status (-1 when it could not start, timed out or never exited) and what it
// printed, in locked memory: it may be a passphrase.
struct PromptAnswer {
    int exit_status = -1;
    SecretBytes output;
};

// OpenSSH's ask_permission rule: allowed iff the askpass exited with status 0 and printed nothing
// or an answer starting with "yes" (any case). Never fails.
bool confirmation_allowed(const PromptAnswer& answer) noexcept;

// The passphrase typed: the output up to its first line break (as OpenSSH's read_passphrase), or
// nullopt when the askpass did not exit with status 0 (cancelled, failed, timed out).
std::optional<SecretBytes> passphrase_from(const PromptAnswer& answer);

}  // namespace latchkey::agent
