// Extensions for keys held still encrypted until their first use: PuTTY's add-ppk, reencrypt,
// reencrypt-all and list-extended (PuTTY manual appendix G.4, pageant.c) and latchkey's own
// add-encrypted@latchkey.invalid for OpenSSH key files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/constraint.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::protocol {

inline constexpr std::string_view add_ppk_extension_name = "add-ppk@putty.projects.tartarus.org";
inline constexpr std::string_view add_encrypted_extension_name = "add-encrypted@latchkey.invalid";
inline constexpr std::string_view reencrypt_extension_name = "reencrypt@putty.projects.tartarus.org";
inline constexpr std::string_view reencrypt_all_extension_name = "reencrypt-all@putty.projects.tartarus.org";
inline constexpr std::string_view list_extended_extension_name = "list-extended@putty.projects.tartarus.org";

// "add-ppk@putty.projects.tartarus.org": string key file (the .ppk text), then optionally the
// constraints of ADD_ID_CONSTRAINED until the end (PuTTY's own client sends none). The file is kept
// in locked memory: an unencrypted file carries a private key in clear.
struct AddPpk {
    SecretBytes file;
    std::vector<Constraint> constraints;
    bool operator==(const AddPpk&) const = default;
};

// "add-encrypted@latchkey.invalid": string key file (openssh-key-v1), string comment, then the
// constraints of ADD_ID_CONSTRAINED until the end. The comment is the client's (the .pub file's, or
// the file name) because an openssh-key-v1 file keeps its own comment in the encrypted part.
struct AddEncrypted {
    SecretBytes file;
    std::string comment;
    std::vector<Constraint> constraints;
    bool operator==(const AddEncrypted&) const = default;
};

// "reencrypt@putty.projects.tartarus.org": string key blob. The agent forgets the decrypted form of
// that key and keeps only the encrypted file.
struct ReencryptKey {
    Bytes key_blob;
    bool operator==(const ReencryptKey&) const = default;
};

// "reencrypt-all@putty.projects.tartarus.org": no contents. As ReencryptKey, for every key.
struct ReencryptAllKeys {
    bool operator==(const ReencryptAllKeys&) const = default;
};

// "list-extended@putty.projects.tartarus.org": no contents. Answered with ExtendedIdentitiesAnswer.
struct ListExtended {
    bool operator==(const ListExtended&) const = default;
};

// The flag bits of an extended identity (PuTTY's LIST_EXTENDED_FLAG_*).
inline constexpr std::uint32_t list_extended_has_encrypted_file = 1;  // can be re-encrypted
inline constexpr std::uint32_t list_extended_no_cleartext_key = 2;    // not decrypted yet

struct ExtendedIdentity {
    Bytes key_blob;
    std::string comment;
    std::uint32_t flags = 0;
    bool operator==(const ExtendedIdentity&) const = default;
};

// Reply to list-extended: 6 SUCCESS, uint32 count, then count × (string key blob, string comment,
// string extra) where extra begins with uint32 flags (more may follow in later versions; it is
// skipped when decoding).
struct ExtendedIdentitiesAnswer {
    std::vector<ExtendedIdentity> identities;
    bool operator==(const ExtendedIdentitiesAnswer&) const = default;
};

// Reply to reencrypt-all when at least one key could be re-encrypted (or there are no keys):
// 6 SUCCESS, uint32 number of keys left decrypted because they have no encrypted form.
struct ReencryptAllAnswer {
    std::uint32_t left_decrypted = 0;
    bool operator==(const ReencryptAllAnswer&) const = default;
};

// Readers of the extension contents (after the name), for decode_request. Each reads to the end of
// the message. Fail with truncated, trailing_bytes (reencrypt, reencrypt-all, list-extended),
// or the constraint errors of read_constraints (unknown_constraint, invalid_value, ...).
Result<AddPpk> read_add_ppk(WireReader& reader);
Result<AddEncrypted> read_add_encrypted(WireReader& reader);
Result<ReencryptKey> read_reencrypt(WireReader& reader);

// Writers of the same contents, in the encoding the readers read.
void write_add_ppk(SecretWireWriter& writer, const AddPpk& message);
void write_add_encrypted(SecretWireWriter& writer, const AddEncrypted& message);
void write_reencrypt(SecretWireWriter& writer, const ReencryptKey& message);

// Reply bodies, type byte included.
void write_extended_identities_answer(WireWriter& writer, const ExtendedIdentitiesAnswer& answer);
void write_reencrypt_all_answer(WireWriter& writer, const ReencryptAllAnswer& answer);

// For clients: the replies to list-extended and reencrypt-all, whose SUCCESS type byte decode_reply
// cannot tell apart. Fail with empty_message, invalid_value (another reply type), length_too_large
// (a count larger than the message could hold), truncated or trailing_bytes.
Result<ExtendedIdentitiesAnswer> decode_list_extended_reply(ByteView body);
Result<ReencryptAllAnswer> decode_reencrypt_all_reply(ByteView body);

}  // namespace latchkey::protocol
