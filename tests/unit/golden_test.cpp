// Golden vectors (tests/data, made by scripts/make-test-data with OpenSSH 9.2): every ssh-add
// capture and every ssh-keygen public key decodes to what the tool was asked for and re-encodes
// byte for byte; no truncation of a capture is taken for a different message.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/key_blob.hpp"
#include "protocol/message.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;
using namespace latchkey::protocol;
namespace fs = std::filesystem;
using test::base64_decode;
using test::data_dir;
using test::read_file;

namespace {

constexpr std::string_view passphrase = "latchkey-test-passphrase";
constexpr std::string_view provider = "/nonexistent/provider.so";

// Key names as in tests/data/README.md, with the PrivateParts alternative each one carries.
const std::map<std::string, std::size_t> key_secret_index = {
    {"ed25519", 0},  {"ecdsa-256", 1}, {"ecdsa-384", 1}, {"ecdsa-521", 1},
    {"rsa-2048", 2}, {"rsa-4096", 2},  {"dsa-1024", 3},
};

std::string read_text_file(const fs::path& path)
{
    Bytes bytes = read_file(path);
    return std::string(bytes.begin(), bytes.end());
}

// One "<type> <base64> [comment]" key as in .pub files and known_hosts lines.
struct KeyLine {
    std::string type;
    Bytes blob;
};

// Parses a .pub line, or a known_hosts line (optional @marker, host pattern, then the key).
KeyLine parse_key_line(const std::string& line, bool known_hosts)
{
    std::istringstream fields(line);
    std::string word;
    if (known_hosts) {
        fields >> word;  // host pattern, or a marker followed by the pattern
        if (word.starts_with('@'))
            fields >> word;
    }
    KeyLine key;
    std::string encoded;
    fields >> key.type >> encoded;
    auto blob = base64_decode(encoded);
    REQUIRE_MESSAGE(blob.has_value(), "bad base64 in: ", line);
    key.blob = std::move(*blob);
    return key;
}

Bytes public_blob(const fs::path& relative)
{
    std::string text = read_text_file(data_dir / relative);
    return parse_key_line(text.substr(0, text.find('\n')), false).blob;
}

PublicKey public_key(const fs::path& relative)
{
    auto key = decode_public_key(public_blob(relative));
    REQUIRE_MESSAGE(key.has_value(), relative.string(), ": ", describe(key.error()));
    return std::move(*key);
}

SecretBytes secret(std::string_view text) { return SecretBytes::from_text(text); }

std::string file_name(const fs::path& path) { return path.filename().string(); }

// Files directly in tests/data/<dir> whose names end with suffix, sorted.
std::vector<fs::path> files_in(const std::string& dir, std::string_view suffix)
{
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(data_dir / dir))
        if (entry.is_regular_file() && file_name(entry.path()).ends_with(suffix))
            out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

// ---- What each capture must decode to ----

// A pointer to the alternative, or a failed check and nullptr.
template <class T>
const T* as(const Request& request)
{
    const T* value = std::get_if<T>(&request);
    CHECK_MESSAGE(value != nullptr, "decoded to variant index ", request.index());
    return value;
}

void expect_add(const Request& request, const std::string& key_name, const fs::path& pub,
                const std::vector<Constraint>& constraints, bool constrained)
{
    const auto* add = as<AddIdentity>(request);
    if (add == nullptr)
        return;
    CHECK(add->comment == "latchkey-test-" + key_name);
    CHECK(add->constrained == constrained);
    CHECK(add->constraints == constraints);
    CHECK(add->key.public_key == public_key(pub));
    CHECK(add->key.secret.index() == key_secret_index.at(key_name));
}

void expect_key_blob(const Bytes& actual, const fs::path& pub) { CHECK(actual == public_blob(pub)); }

DestinationHop hop(std::string user, std::string hostname, const fs::path& host_key = {}, bool is_ca = false)
{
    DestinationHop out{std::move(user), std::move(hostname), {}};
    if (!host_key.empty())
        out.keys.push_back(HostKeySpec{public_key(host_key), is_ca});
    return out;
}

Constraint destinations(std::vector<DestinationConstraint> constraints)
{
    return RestrictDestinationConstraint{std::move(constraints)};
}

using Expectation = std::function<void(const Request&)>;

// Every capture make-test-data writes, with what it must decode to (tests/data/README.md).
std::map<std::string, Expectation> capture_expectations()
{
    const fs::path host1 = "hosts/host1-ed25519.pub";
    const fs::path host2 = "hosts/host2-ecdsa-256.pub";
    const fs::path ca = "ca/ca-ed25519.pub";
    const Constraint lifetime = LifetimeConstraint{600};
    const Constraint confirm = ConfirmConstraint{};
    const Constraint to_alice_at_host1 = destinations({{hop("", ""), hop("alice", "host1.example", host1)}});
    const Constraint to_host1 = destinations({{hop("", ""), hop("", "host1.example", host1)}});

    std::map<std::string, Expectation> out;
    for (const auto& [name, index] : key_secret_index) {
        const fs::path pub = "keys/" + name + ".pub";
        const fs::path cert = "keys/" + name + "-cert.pub";
        out["add-" + name + ".bin"] = [=](const Request& r) { expect_add(r, name, pub, {}, false); };
        out["add-" + name + "-cert.bin"] = [=](const Request& r) { expect_add(r, name, cert, {}, false); };
        out["sign-" + name + ".bin"] = [=](const Request& r) {
            if (const auto* sign = as<SignRequest>(r)) {
                expect_key_blob(sign->key_blob, pub);
                CHECK(sign->data.size() == 1024);  // ssh-add -T signs 1024 random bytes
                CHECK(sign->flags == 0);           // ... with no flag, also for RSA
            }
        };
    }
    out["sign-ed25519-cert.bin"] = [](const Request& r) {
        if (const auto* sign = as<SignRequest>(r)) {
            expect_key_blob(sign->key_blob, "keys/ed25519-cert.pub");
            CHECK(sign->data.size() == 1024);
            CHECK(sign->flags == 0);
        }
    };

    const fs::path ed25519 = "keys/ed25519.pub";
    auto constrained_add = [](std::vector<Constraint> constraints, fs::path pub) {
        return [constraints = std::move(constraints), pub = std::move(pub)](const Request& r) {
            expect_add(r, "ed25519", pub, constraints, true);
        };
    };
    out["add-constrained-lifetime.bin"] = constrained_add({lifetime}, ed25519);
    out["add-constrained-confirm.bin"] = constrained_add({confirm}, ed25519);
    out["add-constrained-both.bin"] = constrained_add({lifetime, confirm}, ed25519);
    out["add-constrained-lifetime-cert.bin"] = constrained_add({lifetime}, "keys/ed25519-cert.pub");
    out["add-destination.bin"] = constrained_add({to_alice_at_host1}, ed25519);
    out["add-destination-two-hop.bin"] = constrained_add(
        {destinations({{hop("", "host1.example", host1), hop("bob", "host2.example", host2)}})}, ed25519);
    out["add-destination-multi.bin"] = constrained_add(
        {destinations({{hop("", ""), hop("", "host1.example", host1)},
                       {hop("", ""), hop("bob", "host2.example", host2)}})},
        ed25519);
    out["add-destination-ca.bin"] = constrained_add(
        {destinations({{hop("", ""), hop("", "server.ca.example", ca, true)}})}, ed25519);
    out["add-destination-lifetime-confirm.bin"] = constrained_add({lifetime, confirm, to_alice_at_host1}, ed25519);

    out["list.bin"] = [](const Request& r) { as<RequestIdentities>(r); };
    out["remove.bin"] = [](const Request& r) {
        if (const auto* remove = as<RemoveIdentity>(r))
            expect_key_blob(remove->key_blob, "keys/ed25519.pub");
    };
    out["remove-cert.bin"] = [](const Request& r) {
        if (const auto* remove = as<RemoveIdentity>(r))
            expect_key_blob(remove->key_blob, "keys/ed25519-cert.pub");
    };
    out["remove-all.bin"] = [](const Request& r) { as<RemoveAllIdentities>(r); };
    out["remove-all-ssh1.bin"] = [](const Request& r) {
        if (const auto* legacy = as<LegacyRequest>(r))
            CHECK(legacy->type == MessageType::ssh1_remove_all_rsa_identities);
    };
    out["lock.bin"] = [](const Request& r) {
        if (const auto* lock = as<Lock>(r))
            CHECK(lock->passphrase == secret(passphrase));
    };
    out["unlock.bin"] = [](const Request& r) {
        if (const auto* unlock = as<Unlock>(r))
            CHECK(unlock->passphrase == secret(passphrase));
    };

    auto smartcard_add = [](std::vector<Constraint> constraints, bool constrained) {
        return [constraints = std::move(constraints), constrained](const Request& r) {
            if (const auto* add = as<AddSmartcardKey>(r)) {
                CHECK(add->reader_id == provider);
                CHECK(add->pin == secret(passphrase));  // askpass answered the PIN prompt
                CHECK(add->constrained == constrained);
                CHECK(add->constraints == constraints);
            }
        };
    };
    out["add-smartcard.bin"] = smartcard_add({}, false);
    out["add-smartcard-constrained.bin"] = smartcard_add({lifetime, confirm}, true);
    out["add-smartcard-destination.bin"] = smartcard_add({to_host1}, true);
    out["remove-smartcard.bin"] = [](const Request& r) {
        if (const auto* remove = as<RemoveSmartcardKey>(r)) {
            CHECK(remove->reader_id == provider);
            CHECK(remove->pin.empty());  // ssh-add -e sends an empty PIN
        }
    };
    return out;
}

// Prefix lengths at which a shorter message is legitimately complete: a constrained add cut
// exactly after one of its constraints (constraints run to the end of the message, as in OpenSSH).
std::set<std::size_t> complete_prefix_lengths(const Request& request)
{
    std::set<std::size_t> lengths;
    auto add_prefixes = [&](const auto& message) {
        for (std::size_t kept = 0; kept < message.constraints.size(); ++kept) {
            auto shorter = message;
            shorter.constraints.resize(kept);
            lengths.insert(encode_request(Request{shorter}).size());
        }
    };
    if (const auto* add = std::get_if<AddIdentity>(&request); add != nullptr && add->constrained)
        add_prefixes(*add);
    if (const auto* add = std::get_if<AddSmartcardKey>(&request); add != nullptr && add->constrained)
        add_prefixes(*add);
    return lengths;
}

bool same_bytes(const SecretBytes& a, ByteView b) { return std::ranges::equal(a.view(), b); }

}  // namespace

TEST_CASE("the base64 helper decodes RFC 4648 vectors and refuses malformed input")
{
    auto text = [](std::string_view s) { return Bytes(s.begin(), s.end()); };
    CHECK(base64_decode("") == Bytes{});
    CHECK(base64_decode("Zg==") == text("f"));
    CHECK(base64_decode("Zm8=") == text("fo"));
    CHECK(base64_decode("Zm9vYmFy") == text("foobar"));
    CHECK_FALSE(base64_decode("Zm9").has_value());
    CHECK_FALSE(base64_decode("Zm=v").has_value());
    CHECK_FALSE(base64_decode("Zm9v!mFy").has_value());
}

TEST_CASE("the golden captures are exactly the ones this test knows")
{
    const auto expectations = capture_expectations();
    std::set<std::string> on_disk;
    for (const auto& path : files_in("captures", ".bin"))
        on_disk.insert(file_name(path));
    for (const auto& [name, expectation] : expectations) {
        INFO("expected capture ", name);
        CHECK(on_disk.contains(name));
    }
    for (const auto& name : on_disk) {
        INFO("capture without an expectation: ", name);
        CHECK(expectations.contains(name));
    }
}

TEST_CASE("every ssh-add capture decodes to what ssh-add was asked to send")
{
    const auto expectations = capture_expectations();
    for (const auto& path : files_in("captures", ".bin")) {
        const std::string name = file_name(path);
        INFO("capture ", name);
        const Bytes body = read_file(path);
        auto request = decode_request(body);
        CHECK_MESSAGE(request.has_value(), "decode failed: ", describe(request.error()));
        if (!request.has_value())
            continue;
        if (auto it = expectations.find(name); it != expectations.end())
            it->second(*request);
    }
}

TEST_CASE("every ssh-add capture re-encodes byte for byte")
{
    for (const auto& path : files_in("captures", ".bin")) {
        INFO("capture ", file_name(path));
        const Bytes body = read_file(path);
        auto request = decode_request(body);
        CHECK_MESSAGE(request.has_value(), "decode failed: ", describe(request.error()));
        if (!request.has_value())
            continue;
        const SecretBytes encoded = encode_request(*request);
        CHECK(same_bytes(encoded, body));
        auto again = decode_request(encoded.view());
        CHECK((again.has_value() && *again == *request));
    }
}

TEST_CASE("no truncation of an ssh-add capture decodes to another message")
{
    for (const auto& path : files_in("captures", ".bin")) {
        INFO("capture ", file_name(path));
        const Bytes body = read_file(path);
        auto full = decode_request(body);
        CHECK(full.has_value());
        if (!full.has_value())
            continue;
        const auto complete = complete_prefix_lengths(*full);
        for (std::size_t length = 0; length < body.size(); ++length) {
            INFO("first ", length, " of ", body.size(), " bytes");
            const ByteView prefix = ByteView(body).first(length);
            auto truncated = decode_request(prefix);
            if (!complete.contains(length)) {
                CHECK_FALSE(truncated.has_value());
            } else if (truncated.has_value()) {
                // A constrained add cut between constraints is a valid add with fewer of them; if the
                // decoder takes it, it must be exactly that message.
                CHECK(truncated->index() == full->index());
                CHECK(same_bytes(encode_request(*truncated), prefix));
            }
        }
    }
}

TEST_CASE("every ssh-keygen public key and certificate round-trips byte for byte")
{
    std::vector<fs::path> pubs;
    for (std::string folder : {"keys", "ca", "certs", "hosts"})
        for (const auto& path : files_in(folder, ".pub"))
            pubs.push_back(path);
    std::sort(pubs.begin(), pubs.end());
    // keys/: 7 keys + 7 certificates; ca/: 2; certs/: 4; hosts/: 2 keys + 1 certificate.
    CHECK(pubs.size() == 23);

    std::vector<std::pair<std::string, KeyLine>> lines;
    for (const auto& path : pubs) {
        std::string text = read_text_file(path);
        lines.emplace_back(fs::relative(path, data_dir).string(),
                           parse_key_line(text.substr(0, text.find('\n')), false));
    }
    std::istringstream known_hosts(read_text_file(data_dir / "hosts/known_hosts"));
    for (std::string line; std::getline(known_hosts, line);)
        if (!line.empty())
            lines.emplace_back("known_hosts: " + line.substr(0, line.find(' ')), parse_key_line(line, true));
    CHECK(lines.size() == pubs.size() + 3);

    for (const auto& [where, line] : lines) {
        INFO(where);
        auto key = decode_public_key(line.blob);
        CHECK_MESSAGE(key.has_value(), "decode failed: ", describe(key.error()));
        if (!key.has_value())
            continue;
        CHECK(key_type_name(*key) == line.type);
        CHECK(is_certificate(*key) == where.ends_with("-cert.pub"));
        CHECK(encode_public_key(*key) == line.blob);
        for (std::size_t length = 0; length < line.blob.size(); ++length) {
            INFO("first ", length, " of ", line.blob.size(), " bytes");
            CHECK_FALSE(decode_public_key(ByteView(line.blob).first(length)).has_value());
        }
    }
}

TEST_CASE("certificates carry what ssh-keygen was asked to put in them")
{
    auto certificate = [](const fs::path& relative) {
        PublicKey key = public_key(relative);
        REQUIRE(std::holds_alternative<Certificate>(key));
        return std::get<Certificate>(key);
    };
    const Bytes ed25519_ca = public_blob("ca/ca-ed25519.pub");

    for (const auto& [name, index] : key_secret_index) {
        INFO("keys/", name, "-cert.pub");
        const Certificate cert = certificate("keys/" + name + "-cert.pub");
        CHECK(PublicKey{cert.key} == public_key("keys/" + name + ".pub"));
        CHECK(cert.type == certificate_type_user);
        CHECK(cert.serial == 42);
        CHECK(cert.key_id == "latchkey-test-" + name);
        CHECK(cert.principals == std::vector<std::string>{"alice", "bob"});
        CHECK(cert.valid_before > cert.valid_after);
        CHECK(cert.critical_options.empty());
        CHECK(cert.extensions.size() == 5);  // ssh-keygen's default permit-* set
        CHECK(cert.signature_key == ed25519_ca);
    }

    SUBCASE("host certificate")
    {
        const Certificate cert = certificate("hosts/host1-ed25519-cert.pub");
        CHECK(cert.type == certificate_type_host);
        CHECK(cert.serial == 43);
        CHECK(cert.principals == std::vector<std::string>{"host1.example"});
        CHECK(cert.extensions.empty());
        CHECK(PublicKey{cert.key} == public_key("hosts/host1-ed25519.pub"));
    }

    SUBCASE("critical options and extensions")
    {
        const Certificate cert = certificate("certs/ed25519-options-cert.pub");
        auto wrapped = [](std::string_view text) {  // option data is a string inside the string
            WireWriter writer;
            writer.write_string(text);
            return std::move(writer).take();
        };
        CHECK(cert.serial == 44);
        CHECK(cert.critical_options == std::vector<CertificateOption>{
                                           {"force-command", wrapped("/usr/bin/true")},
                                           {"source-address", wrapped("192.0.2.0/24,2001:db8::/32")},
                                           {"verify-required", {}},
                                       });
        CHECK(cert.extensions == std::vector<CertificateOption>{
                                     {"latchkey-test@example.com", wrapped("hello")},
                                     {"permit-pty", {}},
                                 });
    }

    SUBCASE("signed by an RSA CA")
    {
        const Certificate cert = certificate("certs/ed25519-rsa-ca-cert.pub");
        CHECK(cert.signature_key == public_blob("ca/ca-rsa-2048.pub"));
        WireReader signature(cert.signature);
        auto algorithm = signature.read_text();
        REQUIRE(algorithm.has_value());
        CHECK(*algorithm == "rsa-sha2-512");
    }

    SUBCASE("validity windows")
    {
        const Certificate expired = certificate("certs/ed25519-expired-cert.pub");
        CHECK(expired.valid_before < 1600000000);  // January 2020
        const Certificate forever = certificate("certs/ed25519-forever-cert.pub");
        CHECK(forever.valid_after == 0);
        CHECK(forever.valid_before == std::numeric_limits<std::uint64_t>::max());
    }
}
