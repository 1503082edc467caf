// Tests of the encrypted-key extensions (add-ppk, add-encrypted, reencrypt, reencrypt-all,
// list-extended): layouts as PuTTY's pageant.c writes them, round trips, malformed input.
#include <doctest/doctest.h>

#include "protocol/message.hpp"
#include "tests/support/bytes.hpp"

using namespace latchkey;
using namespace latchkey::protocol;

using latchkey::test::filled;

namespace {

Bytes to_bytes(const SecretBytes& bytes)
{
    return Bytes(bytes.view().begin(), bytes.view().end());
}

// 27, string name: the start of every extension request.
Bytes extension_head(std::string_view name)
{
    WireWriter writer;
    writer.write_u8(27);
    writer.write_string(name);
    return std::move(writer).take();
}

Bytes concat(Bytes head, const Bytes& tail)
{
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
}

std::vector<Request> sample_requests()
{
    SecretBytes ppk = SecretBytes::from_text("PuTTY-User-Key-File-3: ssh-ed25519\n");
    SecretBytes openssh = SecretBytes::from_text("-----BEGIN OPENSSH PRIVATE KEY-----\n");
    return {
        Extension{std::string(add_ppk_extension_name), AddPpk{ppk, {}}},
        Extension{std::string(add_ppk_extension_name), AddPpk{ppk, {LifetimeConstraint{60}, ConfirmConstraint{}}}},
        Extension{std::string(add_encrypted_extension_name), AddEncrypted{openssh, "me@host", {}}},
        Extension{std::string(add_encrypted_extension_name), AddEncrypted{openssh, "", {ConfirmConstraint{}}}},
        Extension{std::string(reencrypt_extension_name), ReencryptKey{filled(51, 1)}},
        Extension{std::string(reencrypt_all_extension_name), ReencryptAllKeys{}},
        Extension{std::string(list_extended_extension_name), ListExtended{}},
    };
}

}  // namespace

TEST_CASE("encrypted-key requests round-trip byte for byte")
{
    for (const auto& request : sample_requests()) {
        Bytes body = to_bytes(encode_request(request));
        CAPTURE(std::get<Extension>(request).name);
        auto decoded = decode_request(body);
        REQUIRE(decoded.has_value());
        CHECK(*decoded == request);
        CHECK(to_bytes(encode_request(*decoded)) == body);
    }
}

TEST_CASE("add-ppk as PuTTY's pageant -a --encrypted sends it: the file in one string, nothing after")
{
    WireWriter contents;
    contents.write_string(std::string_view("PuTTY-User-Key-File-2: ssh-rsa\n"));
    auto decoded = decode_request(concat(extension_head(add_ppk_extension_name), contents.buffer()));
    REQUIRE(decoded.has_value());
    const auto& add = std::get<AddPpk>(std::get<Extension>(*decoded).body);
    CHECK(add.file == SecretBytes::from_text("PuTTY-User-Key-File-2: ssh-rsa\n"));
    CHECK(add.constraints.empty());
}

TEST_CASE("add-encrypted layout: string file, string comment, constraints")
{
    Request request = Extension{std::string(add_encrypted_extension_name),
                                AddEncrypted{SecretBytes::from_text("F"), "c", {LifetimeConstraint{7}}}};
    Bytes expected = concat(extension_head(add_encrypted_extension_name),
                            {0, 0, 0, 1, 'F', 0, 0, 0, 1, 'c', 1, 0, 0, 0, 7});
    CHECK(to_bytes(encode_request(request)) == expected);
}

TEST_CASE("malformed encrypted-key requests are refused")
{
    // A file string running past the end.
    CHECK(decode_request(concat(extension_head(add_ppk_extension_name), {0, 0, 0, 9, 'x'})).error() ==
          Error::truncated);
    // add-encrypted without its comment.
    CHECK(decode_request(concat(extension_head(add_encrypted_extension_name), {0, 0, 0, 1, 'x'})).error() ==
          Error::truncated);
    // An unknown constraint after the file.
    CHECK(decode_request(concat(extension_head(add_ppk_extension_name), {0, 0, 0, 1, 'x', 42})).error() ==
          Error::unknown_constraint);
    // Contents where none belong, and after the key blob of reencrypt.
    CHECK(decode_request(concat(extension_head(reencrypt_all_extension_name), {0})).error() == Error::trailing_bytes);
    CHECK(decode_request(concat(extension_head(list_extended_extension_name), {0})).error() == Error::trailing_bytes);
    CHECK(decode_request(concat(extension_head(reencrypt_extension_name), {0, 0, 0, 1, 9, 0})).error() ==
          Error::trailing_bytes);
    CHECK(decode_request(extension_head(reencrypt_extension_name)).error() == Error::truncated);
}

TEST_CASE("every truncation of an encrypted-key request fails or is a shorter valid request")
{
    for (const auto& request : sample_requests()) {
        Bytes body = to_bytes(encode_request(request));
        for (std::size_t length = 1; length < body.size(); ++length) {
            Bytes prefix(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(length));
            auto decoded = decode_request(prefix);
            if (decoded.has_value())  // a shorter constraint list, or an unknown (opaque) extension name
                CHECK(to_bytes(encode_request(*decoded)) == prefix);
        }
    }
}

TEST_CASE("list-extended reply: SUCCESS, count, then blob, comment and a string holding the flags")
{
    ExtendedIdentitiesAnswer answer{{{{9}, "c", list_extended_has_encrypted_file | list_extended_no_cleartext_key},
                                     {filled(3, 1), "", 0}}};
    Bytes body = encode_reply(answer);
    Bytes expected = {6, 0, 0, 0, 2, 0, 0, 0, 1, 9, 0, 0, 0, 1, 'c', 0, 0, 0, 4, 0, 0, 0, 3,
                      0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0};
    CHECK(body == expected);
    auto decoded = decode_list_extended_reply(body);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == answer);
    CHECK(decode_list_extended_reply(Bytes{6, 0, 0, 0, 0})->identities.empty());
}

TEST_CASE("list-extended reply: later flag data is skipped, bad replies refused")
{
    Bytes longer_extra = {6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 2, 0xab, 0xcd};
    auto decoded = decode_list_extended_reply(longer_extra);
    REQUIRE(decoded.has_value());
    CHECK(decoded->identities.at(0).flags == 2);
    CHECK(decode_list_extended_reply(Bytes{}).error() == Error::empty_message);
    CHECK(decode_list_extended_reply(Bytes{5}).error() == Error::invalid_value);
    CHECK(decode_list_extended_reply(Bytes{6, 0xff, 0xff, 0xff, 0xff}).error() == Error::length_too_large);
    CHECK(decode_list_extended_reply(Bytes{6, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0}).error() ==
          Error::truncated);
    CHECK(decode_list_extended_reply(Bytes{6, 0, 0, 0, 0, 1}).error() == Error::trailing_bytes);
}

TEST_CASE("reencrypt-all reply: SUCCESS and the number of keys left decrypted")
{
    Bytes body = encode_reply(ReencryptAllAnswer{3});
    CHECK(body == Bytes{6, 0, 0, 0, 3});
    CHECK(decode_reencrypt_all_reply(body)->left_decrypted == 3);
    CHECK(decode_reencrypt_all_reply(Bytes{6, 0, 0}).error() == Error::truncated);
    CHECK(decode_reencrypt_all_reply(Bytes{28}).error() == Error::invalid_value);
    CHECK(decode_reencrypt_all_reply(Bytes{6, 0, 0, 0, 3, 0}).error() == Error::trailing_bytes);
}

TEST_CASE("extension requests are read into locked memory: add-ppk may carry a key in clear")
{
    CHECK(carries_secrets(27));
}
