// Adding a key file still encrypted, decrypted by the agent at first use (`latchkey add --deferred` and
// latchkeyd's [[key]] preloads): add-ppk@putty.projects.tartarus.org for .ppk files,
// add-encrypted@latchkey.invalid for OpenSSH files.
#pragma once

#include <string>
#include <vector>

#include "agent/error.hpp"
#include "protocol/constraint.hpp"
#include "protocol/message.hpp"

namespace latchkey::agent {

// The extension request that adds `contents` (the whole key file) deferred, with `comment` (used for
// OpenSSH files, whose own comment is encrypted; a .ppk carries its comment in clear) and `constraints`.
// Fails with unsupported, naming `path`, for PEM and unknown formats: only OpenSSH and .ppk files can be
// decrypted by the agent.
Result<protocol::Extension> deferred_add_request(const std::string& path, const SecretBytes& contents,
                                                 const std::string& comment,
                                                 const std::vector<protocol::Constraint>& constraints);

// The comment to show for a deferred key: a .ppk's clear "Comment:" line, else the one in "<path>.pub"
// (OpenSSH keeps it encrypted), else `path`. Never fails.
std::string deferred_comment(const std::string& path, const SecretBytes& contents);

// A key file read and made into its deferred add request.
struct DeferredAdd {
    std::string comment;
    protocol::Extension request;
};

// Reads `path` and builds its request with deferred_comment. Fails as read_key_file_bytes and
// deferred_add_request.
Result<DeferredAdd> deferred_add_file(const std::string& path, const std::vector<protocol::Constraint>& constraints);

}  // namespace latchkey::agent
