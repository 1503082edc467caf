// Tests of the choice between terminal and askpass, against OpenSSH readpass.c's rules for ssh-add.
#include <doctest/doctest.h>

#include "agent/client/passphrase.hpp"

using namespace latchkey::agent::client;

namespace {

PassphraseSource choose(bool display, std::string require, bool tty)
{
    return choose_passphrase_source({display, std::move(require), tty});
}

}  // namespace

TEST_CASE("without SSH_ASKPASS_REQUIRE: askpass only when stdin is not a terminal and there is a display")
{
    CHECK(choose(false, "", true) == PassphraseSource::terminal);
    CHECK(choose(true, "", true) == PassphraseSource::terminal);
    CHECK(choose(false, "", false) == PassphraseSource::terminal);
    CHECK(choose(true, "", false) == PassphraseSource::askpass);
}

TEST_CASE("SSH_ASKPASS_REQUIRE=force always asks askpass, =never never, =prefer whenever a display allows")
{
    for (bool display : {false, true})
        for (bool tty : {false, true}) {
            CHECK(choose(display, "force", tty) == PassphraseSource::askpass);
            CHECK(choose(display, "FORCE", tty) == PassphraseSource::askpass);
            CHECK(choose(display, "never", tty) == PassphraseSource::terminal);
            CHECK(choose(display, "prefer", tty) == (display ? PassphraseSource::askpass : PassphraseSource::terminal));
        }
    CHECK(choose(true, "something-else", false) == PassphraseSource::askpass);
    CHECK(choose(true, "something-else", true) == PassphraseSource::terminal);
}
