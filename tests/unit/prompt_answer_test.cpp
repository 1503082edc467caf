// Tests of reading askpass answers: OpenSSH's yes rule for confirmations, and passphrases.
#include <doctest/doctest.h>

#include "agent/prompt_answer.hpp"

using namespace latchkey;
using namespace latchkey::agent;

namespace {

PromptAnswer answered(int status, std::string_view output)
{
    return PromptAnswer{status, SecretBytes::from_text(output)};
}

}  // namespace

TEST_CASE("allowed iff the askpass exits 0 and prints nothing or starts with yes")
{
    CHECK(confirmation_allowed(answered(0, "")));
    CHECK(confirmation_allowed(answered(0, "\n")));
    CHECK(confirmation_allowed(answered(0, "yes\n")));
    CHECK(confirmation_allowed(answered(0, "YeS")));
    CHECK_FALSE(confirmation_allowed(answered(0, "no\n")));
    CHECK_FALSE(confirmation_allowed(answered(0, "ye")));
    CHECK_FALSE(confirmation_allowed(answered(1, "yes\n")));
    CHECK_FALSE(confirmation_allowed(answered(-1, "")));
}

TEST_CASE("a passphrase is the output up to its first line break, given only with exit status 0")
{
    CHECK(passphrase_from(answered(0, "secret\n")) == SecretBytes::from_text("secret"));
    CHECK(passphrase_from(answered(0, "with space\r\nignored")) == SecretBytes::from_text("with space"));
    CHECK(passphrase_from(answered(0, "no newline")) == SecretBytes::from_text("no newline"));
    CHECK(passphrase_from(answered(0, "\n")) == SecretBytes());
    CHECK_FALSE(passphrase_from(answered(1, "secret\n")).has_value());
    CHECK_FALSE(passphrase_from(answered(-1, "")).has_value());
}
