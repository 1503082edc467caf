// Building the deferred-add extension requests from a key file's bytes.
#include "agent/client/deferred_add.hpp"

#include "agent/keyfiles/key_file.hpp"

namespace latchkey::agent::client {

Result<protocol::Extension> deferred_add_request(const std::string& path, const SecretBytes& contents,
                                                 const std::string& comment,
                                                 const std::vector<protocol::Constraint>& constraints)
{
    switch (keyfiles::detect_key_file_format(contents.view())) {
    case keyfiles::KeyFileFormat::ppk:
        return protocol::Extension{std::string(protocol::add_ppk_extension_name),
                                   protocol::AddPpk{contents, constraints}};
    case keyfiles::KeyFileFormat::openssh:
        return protocol::Extension{std::string(protocol::add_encrypted_extension_name),
                                   protocol::AddEncrypted{contents, comment, constraints}};
    case keyfiles::KeyFileFormat::pem:
        return fail(Error(ErrorCode::unsupported, path + " is a PEM file, which the agent cannot decrypt later: "
                                                         "load it without --deferred"));
    case keyfiles::KeyFileFormat::unknown:
        break;
    }
    return fail(Error(ErrorCode::unsupported, "not a key file in a known format (OpenSSH, PuTTY .ppk)"));
}

}  // namespace latchkey::agent::client
