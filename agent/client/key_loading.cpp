// Decrypting key files with ssh-add's passphrase rules; the certificates beside them.
#include "agent/client/key_loading.hpp"

#include <filesystem>

#include "agent/keyfiles/encoding.hpp"

namespace latchkey::agent::client {

namespace {

bool wrong_passphrase(const Result<keyfiles::KeyFile>& result)
{
    return !result && result.error().code == ErrorCode::bad_passphrase;
}

}  // namespace

std::vector<std::string> default_key_files(const std::string& home)
{
    std::vector<std::string> files;
    for (const char* name : {"id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk", "id_dsa"})
        files.push_back(home + "/.ssh/" + name);
    return files;
}

Result<keyfiles::KeyFile> load_key_file(const std::string& path, PassphraseMemory& memory,
                                        const PassphrasePrompt& prompt)
{
    LATCHKEY_TRY(SecretBytes contents, read_key_file_bytes(path));
    Result<keyfiles::KeyFile> result = keyfiles::read_key_file(contents.view(), nullptr);
    if (result || result.error().code != ErrorCode::passphrase_required)
        return result;
    if (memory.last) {
        result = keyfiles::read_key_file(contents.view(), &*memory.last);
        if (!wrong_passphrase(result))
            return result;
    }
    std::string question = "Enter passphrase for " + path + ": ";
    for (int attempt = 0; attempt < passphrase_tries; ++attempt) {
        std::optional<SecretBytes> passphrase = prompt(question);
        if (!passphrase || passphrase->empty())
            return fail(Error(ErrorCode::bad_passphrase, "no passphrase given for " + path));
        result = keyfiles::read_key_file(contents.view(), &*passphrase);
        if (result)
            memory.last = std::move(passphrase);
        if (!wrong_passphrase(result))
            return result;
        question = "Bad passphrase, try again for " + path + ": ";
    }
    return result;
}

Result<protocol::Bytes> parse_public_key_line(std::string_view line)
{
    auto type_end = line.find(' ');
    if (type_end == std::string_view::npos)
        return fail(Error(ErrorCode::malformed, "not a public key line (expected \"type base64 comment\")"));
    std::string_view rest = line.substr(type_end + 1);
    std::string_view encoded = rest.substr(0, rest.find_first_of(" \r\n"));
    LATCHKEY_TRY(SecretBytes decoded, keyfiles::base64_decode(encoded));
    protocol::Bytes blob(decoded.view().begin(), decoded.view().end());
    LATCHKEY_TRY(protocol::PublicKey key, protocol::decode_public_key(blob));
    if (protocol::key_type_name(key) != line.substr(0, type_end))
        return fail(Error(ErrorCode::malformed, "the key type before the key does not match the key"));
    return blob;
}

Result<std::optional<protocol::Certificate>> certificate_beside(const std::string& path,
                                                                 const protocol::PublicKey& key)
{
    const std::string certificate_path = path + "-cert.pub";
    std::error_code code;
    if (!std::filesystem::exists(certificate_path, code))
        return std::optional<protocol::Certificate>();
    LATCHKEY_TRY(std::string text, read_text_file(certificate_path));
    auto blob = parse_public_key_line(text);
    if (!blob)
        return fail(Error(ErrorCode::malformed, certificate_path + ": " + blob.error().detail));
    LATCHKEY_TRY(protocol::PublicKey decoded, protocol::decode_public_key(*blob));
    const auto* certificate = std::get_if<protocol::Certificate>(&decoded);
    if (certificate == nullptr)
        return fail(Error(ErrorCode::malformed, certificate_path + " holds a plain key, not a certificate"));
    if (certificate->key != protocol::underlying_key(key))
        return fail(Error(ErrorCode::key_mismatch, "certificate " + certificate_path + " does not match private key " + path));
    return std::optional<protocol::Certificate>(*certificate);
}

}  // namespace latchkey::agent::client
