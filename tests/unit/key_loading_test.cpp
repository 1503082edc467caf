// Tests of key file loading for latchkey add: ssh-add's passphrase tries and memory, read errors, certificates.
#include <doctest/doctest.h>

#include <filesystem>

#include "agent/client/key_loading.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;
using namespace latchkey::agent;
using namespace latchkey::agent::client;
using latchkey::test::data_dir;

namespace {

const std::string passphrase = "latchkey-test-passphrase";

std::string keyfile(const std::string& name)
{
    return (data_dir / "keyfiles" / name).string();
}

// A prompt that answers from a script (nullopt = the user gives up) and records the questions.
struct ScriptedPrompt {
    std::vector<std::optional<std::string>> answers;
    std::vector<std::string> questions{};

    explicit ScriptedPrompt(std::vector<std::optional<std::string>> script = {}) : answers(std::move(script)) {}

    PassphrasePrompt prompt()
    {
        return [this](const std::string& question) -> std::optional<SecretBytes> {
            questions.push_back(question);
            REQUIRE(questions.size() <= answers.size());
            const auto& answer = answers[questions.size() - 1];
            if (!answer)
                return std::nullopt;
            return SecretBytes::from_text(*answer);
        };
    }
};

protocol::PublicKey public_key_of(const std::string& pub_path)
{
    auto text = read_text_file(pub_path);
    REQUIRE(text);
    auto blob = parse_public_key_line(*text);
    REQUIRE(blob);
    auto key = protocol::decode_public_key(*blob);
    REQUIRE(key);
    return *key;
}

}  // namespace

TEST_CASE("an unencrypted file loads without asking")
{
    ScriptedPrompt script;
    PassphraseMemory memory;
    auto file = load_key_file(keyfile("openssh/ed25519"), memory, script.prompt());
    REQUIRE(file);
    CHECK(script.questions.empty());
    CHECK(protocol::encode_public_key(file->key.public_key) ==
          protocol::encode_public_key(public_key_of(keyfile("openssh/ed25519.pubkey"))));
}

TEST_CASE("an encrypted file: wrong twice, then right; the question changes after a wrong answer")
{
    ScriptedPrompt script({"wrong", "also wrong", passphrase});
    PassphraseMemory memory;
    const std::string path = keyfile("openssh/ed25519-aes256-ctr");
    auto file = load_key_file(path, memory, script.prompt());
    REQUIRE(file);
    REQUIRE(script.questions.size() == 3);
    CHECK(script.questions[0] == "Enter passphrase for " + path + ": ");
    CHECK(script.questions[1] == "Bad passphrase, try again for " + path + ": ");
    REQUIRE(memory.last.has_value());
    CHECK(*memory.last == SecretBytes::from_text(passphrase));
}

TEST_CASE("the passphrase that opened one file is tried first on the next, as ssh-add does")
{
    ScriptedPrompt script({passphrase});
    PassphraseMemory memory;
    REQUIRE(load_key_file(keyfile("openssh/ed25519-aes256-ctr"), memory, script.prompt()));
    REQUIRE(load_key_file(keyfile("ppk/ecdsa-256-v2.ppk"), memory, script.prompt()));
    CHECK(script.questions.size() == 1);
}

TEST_CASE("three wrong passphrases, giving up, or an empty answer: bad_passphrase, no more questions")
{
    PassphraseMemory memory;
    ScriptedPrompt wrong({"a", "b", "c"});
    auto file = load_key_file(keyfile("openssh/ed25519-aes256-ctr"), memory, wrong.prompt());
    REQUIRE_FALSE(file);
    CHECK(file.error().code == ErrorCode::bad_passphrase);
    CHECK(wrong.questions.size() == passphrase_tries);
    CHECK(file.error().detail.find("a") != 0);

    ScriptedPrompt gives_up({std::nullopt});
    file = load_key_file(keyfile("openssh/ed25519-aes256-ctr"), memory, gives_up.prompt());
    REQUIRE_FALSE(file);
    CHECK(file.error().code == ErrorCode::bad_passphrase);
    CHECK(file.error().detail.find("no passphrase given") != std::string::npos);

    ScriptedPrompt empty({""});
    CHECK_FALSE(load_key_file(keyfile("openssh/ed25519-aes256-ctr"), memory, empty.prompt()));
    CHECK(empty.questions.size() == 1);
    CHECK_FALSE(memory.last.has_value());
}

TEST_CASE("missing files, directories and oversized files name the file and the problem")
{
    ScriptedPrompt script;
    PassphraseMemory memory;
    auto missing = load_key_file("/nonexistent/key", memory, script.prompt());
    REQUIRE_FALSE(missing);
    CHECK(missing.error().detail == "cannot read /nonexistent/key: No such file or directory");
    auto directory = load_key_file(data_dir.string(), memory, script.prompt());
    REQUIRE_FALSE(directory);
    CHECK(directory.error().detail.find("Is a directory") != std::string::npos);

    auto big = std::filesystem::temp_directory_path() / "latchkey-key-loading-test-big";
    {
        std::ofstream out(big, std::ios::binary);
        out << std::string(max_key_file_size + 1, 'A');
    }
    auto oversized = load_key_file(big.string(), memory, script.prompt());
    std::filesystem::remove(big);
    REQUIRE_FALSE(oversized);
    CHECK(oversized.error().detail.find("larger than 1 MiB") != std::string::npos);
    CHECK(script.questions.empty());
}

TEST_CASE("default key files are ssh-add's, in its order")
{
    CHECK(default_key_files("/home/u") ==
          std::vector<std::string>{"/home/u/.ssh/id_rsa", "/home/u/.ssh/id_ecdsa", "/home/u/.ssh/id_ecdsa_sk",
                                   "/home/u/.ssh/id_ed25519", "/home/u/.ssh/id_ed25519_sk", "/home/u/.ssh/id_dsa"});
}

TEST_CASE("certificate_beside: found and matching, absent, or certifying another key")
{
    const std::string ed25519 = (data_dir / "keys" / "ed25519").string();
    auto certificate = certificate_beside(ed25519, public_key_of(ed25519 + ".pub"));
    REQUIRE(certificate);
    REQUIRE(certificate->has_value());
    CHECK((*certificate)->key == protocol::underlying_key(public_key_of(ed25519 + ".pub")));

    auto none = certificate_beside(keyfile("openssh/ed25519"), public_key_of(keyfile("openssh/ed25519.pubkey")));
    REQUIRE(none);
    CHECK_FALSE(none->has_value());

    auto other = certificate_beside(ed25519, public_key_of(keyfile("openssh/ed25519.pubkey")));
    REQUIRE_FALSE(other);
    CHECK(other.error().code == ErrorCode::key_mismatch);
}

TEST_CASE("public key lines: type, base64 and comment; a wrong type or bad base64 is refused")
{
    auto text = read_text_file((data_dir / "keys" / "ed25519.pub").string());
    REQUIRE(text);
    CHECK(parse_public_key_line(*text));
    CHECK_FALSE(parse_public_key_line("ssh-rsa" + text->substr(text->find(' '))));
    CHECK_FALSE(parse_public_key_line("ssh-ed25519 !!!!"));
    CHECK_FALSE(parse_public_key_line("ssh-ed25519"));
}
