// Building the deferred-add extension requests from a key file: its bytes, its comment, its format.
#include "agent/deferred_add.hpp"

#include "agent/key_file_reading.hpp"
#include "agent/keyfiles/key_file.hpp"

namespace latchkey::agent {

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
                                                         "convert it to OpenSSH's format (ssh-keygen -p -f " +
                                                         path + ") or load it decrypted (latchkey add without --deferred)"));
    case keyfiles::KeyFileFormat::unknown:
        break;
    }
    return fail(Error(ErrorCode::unsupported, "not a key file in a known format (OpenSSH, PuTTY .ppk)"));
}

std::string deferred_comment(const std::string& path, const SecretBytes& contents)
{
    std::string_view text(reinterpret_cast<const char*>(contents.data()), contents.size());
    if (auto start = text.find("\nComment: "); start != std::string_view::npos) {
        std::string_view rest = text.substr(start + 10);
        return std::string(rest.substr(0, rest.find_first_of("\r\n")));
    }
    auto pub = read_text_file(path + ".pub");
    if (pub) {
        std::string_view line(*pub);
        line = line.substr(0, line.find('\n'));
        auto second_space = line.find(' ', line.find(' ') + 1);
        if (second_space != std::string_view::npos && second_space + 1 < line.size())
            return std::string(line.substr(second_space + 1));
    }
    return path;
}

Result<DeferredAdd> deferred_add_file(const std::string& path, const std::vector<protocol::Constraint>& constraints)
{
    LATCHKEY_TRY(SecretBytes contents, read_key_file_bytes(path));
    std::string comment = deferred_comment(path, contents);
    LATCHKEY_TRY(protocol::Extension request, deferred_add_request(path, contents, comment, constraints));
    return DeferredAdd{std::move(comment), std::move(request)};
}

}  // namespace latchkey::agent
