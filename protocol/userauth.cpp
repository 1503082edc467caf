// Parser for public key userauth requests, as OpenSSH's ssh-agent recognises them before signing.
#include "protocol/userauth.hpp"

namespace latchkey::protocol {

namespace {

constexpr std::string_view publickey_method = "publickey";
constexpr std::string_view hostbound_method = "publickey-hostbound-v00@openssh.com";

// A string without NUL bytes, as OpenSSH's sshbuf_get_cstring requires.
Result<std::string> read_cstring(WireReader& reader)
{
    LATCHKEY_TRY(std::string text, reader.read_text());
    if (text.find('\0') != std::string::npos)
        return fail(Error::invalid_value);
    return text;
}

Result<PublicKey> read_key(WireReader& reader)
{
    LATCHKEY_TRY(ByteView blob, reader.read_string());
    return decode_public_key(blob);
}

// The key type an algorithm name signs with: the RSA SHA-2 names map to ssh-rsa.
std::string_view key_type_of_algorithm(std::string_view algorithm)
{
    if (algorithm == "rsa-sha2-256" || algorithm == "rsa-sha2-512")
        return "ssh-rsa";
    if (algorithm == "rsa-sha2-256-cert-v01@openssh.com" || algorithm == "rsa-sha2-512-cert-v01@openssh.com")
        return "ssh-rsa-cert-v01@openssh.com";
    return algorithm;
}

}  // namespace

Result<UserauthRequest> parse_userauth_request(ByteView data)
{
    WireReader reader(data);
    UserauthRequest request;
    LATCHKEY_TRY(request.session_id, reader.read_string_copy());
    LATCHKEY_TRY(std::uint8_t type, reader.read_u8());
    LATCHKEY_TRY(request.user, read_cstring(reader));
    LATCHKEY_TRY(std::string service, read_cstring(reader));
    LATCHKEY_TRY(request.method, read_cstring(reader));
    LATCHKEY_TRY(std::uint8_t signature_follows, reader.read_u8());
    LATCHKEY_TRY(request.algorithm, read_cstring(reader));
    LATCHKEY_TRY(request.key, read_key(reader));
    if (request.session_id.empty() || type != ssh_msg_userauth_request || signature_follows != 1 ||
        service != "ssh-connection")
        return fail(Error::invalid_value);
    if (request.method == hostbound_method) {
        LATCHKEY_TRY(request.host_key, read_key(reader));
    } else if (request.method != publickey_method) {
        return fail(Error::invalid_value);
    }
    LATCHKEY_CHECK(reader.finish());
    return request;
}

bool algorithm_matches_key(std::string_view algorithm, const PublicKey& key)
{
    return key_type_of_algorithm(algorithm) == key_type_name(key);
}

}  // namespace latchkey::protocol
