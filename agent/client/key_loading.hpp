// Loading key files for `latchkey add`: decrypting with ssh-add's passphrase rules, and the
// FILE-cert.pub beside a key.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/client/passphrase.hpp"
#include "agent/error.hpp"
#include "agent/key_file_reading.hpp"
#include "agent/keyfiles/key_file.hpp"
#include "protocol/key_blob.hpp"

namespace latchkey::agent::client {

// How many times a passphrase is asked for one file.
inline constexpr int passphrase_tries = 3;

// ssh-add's default key files under `home`/.ssh, in its order, whether or not they exist.
std::vector<std::string> default_key_files(const std::string& home);

// The last passphrase that opened a file: tried first on the next encrypted file, as ssh-add does.
struct PassphraseMemory {
    std::optional<SecretBytes> last;
};

// Reads and decrypts `path`: without a passphrase if it is not encrypted, else with the remembered one,
// else asking through `prompt` ("Enter passphrase for FILE: ", then "Bad passphrase, try again for FILE: ")
// up to passphrase_tries times. Fails with malformed "cannot read FILE: reason" or "FILE is larger than
// 1 MiB, not a key file"; bad_passphrase when every try was wrong or the user gave none (nullopt or an
// empty answer); and otherwise the reader's error. Errors never hold a passphrase. Throws what the prompt
// throws.
Result<keyfiles::KeyFile> load_key_file(const std::string& path, PassphraseMemory& memory,
                                        const PassphrasePrompt& prompt);

// The certificate in "<path>-cert.pub" for `key`: nullopt if there is no such file. Fails with
// malformed when the file cannot be read or holds no certificate, key_mismatch when it certifies
// another key.
Result<std::optional<protocol::Certificate>> certificate_beside(const std::string& path,
                                                                 const protocol::PublicKey& key);

// A public key line "type base64 [comment]" (as in .pub files) as a blob. Fails with malformed.
Result<protocol::Bytes> parse_public_key_line(std::string_view line);

}  // namespace latchkey::agent::client
