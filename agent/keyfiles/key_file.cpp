// Recognises a key file's format and hands it to that format's reader.
#include "agent/keyfiles/key_file.hpp"

#include "agent/keyfiles/encoding.hpp"
#include "agent/keyfiles/openssh.hpp"
#include "agent/keyfiles/pem.hpp"
#include "agent/keyfiles/ppk.hpp"

namespace latchkey::agent::keyfiles {

KeyFileFormat detect_key_file_format(protocol::ByteView contents)
{
    auto text = as_text(contents);
    if (is_ppk(contents))
        return KeyFileFormat::ppk;
    if (is_openssh_key(contents))
        return KeyFileFormat::openssh;
    if (text.find("-----BEGIN ") != std::string_view::npos)
        return KeyFileFormat::pem;
    return KeyFileFormat::unknown;
}

Result<KeyFile> read_key_file(protocol::ByteView contents, const SecretBytes* passphrase)
{
    switch (detect_key_file_format(contents)) {
    case KeyFileFormat::openssh: return read_openssh_key(contents, passphrase);
    case KeyFileFormat::ppk: return read_ppk(contents, passphrase);
    case KeyFileFormat::pem: return read_pem_key(contents, passphrase);
    case KeyFileFormat::unknown: break;
    }
    return fail(Error(ErrorCode::unsupported, "not a key file in a known format (OpenSSH, PEM, PuTTY .ppk)"));
}

Result<PublicHalf> read_public_half(protocol::ByteView contents)
{
    switch (detect_key_file_format(contents)) {
    case KeyFileFormat::openssh: return read_openssh_public_half(contents);
    case KeyFileFormat::ppk: return read_ppk_public_half(contents);
    case KeyFileFormat::pem:
        return fail(Error(ErrorCode::unsupported,
                          "a PEM key file keeps its public key in the encrypted part, so it cannot be listed "
                          "before it is decrypted: add it with its passphrase, or convert it to the OpenSSH "
                          "format (ssh-keygen -p -f FILE)"));
    case KeyFileFormat::unknown: break;
    }
    return fail(Error(ErrorCode::unsupported, "not a key file in a known format (OpenSSH, PuTTY .ppk)"));
}

}  // namespace latchkey::agent::keyfiles
