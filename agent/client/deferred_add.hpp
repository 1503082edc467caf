// latchkey add --deferred: the still-encrypted key file sent to the agent, which decrypts it at first use
// (add-ppk@putty.projects.tartarus.org for .ppk files, add-encrypted@latchkey.invalid for OpenSSH files).
#pragma once

#include <string>
#include <vector>

#include "agent/error.hpp"
#include "protocol/constraint.hpp"
#include "protocol/message.hpp"

namespace latchkey::agent::client {

// The extension request that adds `contents` (the whole key file) deferred, with `comment` (used for
// OpenSSH files, whose own comment is encrypted; a .ppk carries its comment in clear) and `constraints`.
// Fails with unsupported, naming `path`, for PEM and unknown formats: only OpenSSH and .ppk files can be
// decrypted by the agent.
Result<protocol::Extension> deferred_add_request(const std::string& path, const SecretBytes& contents,
                                                 const std::string& comment,
                                                 const std::vector<protocol::Constraint>& constraints);

}  // namespace latchkey::agent::client
