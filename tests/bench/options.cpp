// Parsing of the load generator's command line: a mode, then --name value pairs.
#include "tests/bench/options.hpp"

#include <charconv>

namespace latchkey::bench {

namespace {

unsigned long long number(const std::string& name, const std::string& text, unsigned long long low,
                          unsigned long long high)
{
    unsigned long long value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < low || value > high)
        throw UsageError(name + " wants a whole number from " + std::to_string(low) + " to " + std::to_string(high) +
                         ", not \"" + text + "\"");
    return value;
}

Mode mode_named(const std::string& name)
{
    if (name == "sign")
        return Mode::sign;
    if (name == "list")
        return Mode::list;
    if (name == "idle-sign")
        return Mode::idle_sign;
    throw UsageError("unknown mode \"" + name + "\"");
}

}  // namespace

Options parse_options(const std::vector<std::string>& arguments)
{
    if (arguments.empty())
        throw UsageError("no mode given");
    Options options;
    options.mode = mode_named(arguments[0]);
    for (std::size_t i = 1; i < arguments.size(); ++i) {
        const std::string& name = arguments[i];
        if (name == "--reconnect") {
            options.reconnect = true;
            continue;
        }
        if (i + 1 == arguments.size())
            throw UsageError(name + " needs a value");
        const std::string& value = arguments[++i];
        if (name == "--socket")
            options.socket_path = value;
        else if (name == "--clients")
            options.clients = static_cast<unsigned>(number(name, value, 1, 4096));
        else if (name == "--duration-ms")
            options.duration = std::chrono::milliseconds(number(name, value, 1, 3'600'000));
        else if (name == "--key")
            options.key = value;
        else if (name == "--expect-keys")
            options.expected_keys = number(name, value, 0, 1'000'000);
        else if (name == "--idle")
            options.idle = number(name, value, 0, 1'000'000);
        else if (name == "--verify-every")
            options.verify_every = static_cast<unsigned>(number(name, value, 1, 1'000'000));
        else
            throw UsageError("unknown option " + name);
    }
    if (options.socket_path.empty())
        throw UsageError("--socket PATH is required");
    return options;
}

std::string usage()
{
    return "usage: latchkey-bench sign|list|idle-sign --socket PATH [--clients N] [--duration-ms MS]\n"
           "         [--reconnect] [--key KEY|last] [--expect-keys N] [--idle N] [--verify-every N]\n"
           "  sign       N clients sign userauth requests with the first key whose comment or type\n"
           "             (ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa: rsa-sha2-512) is KEY, or the last one\n"
           "  list       N clients list keys; every answer must hold --expect-keys keys\n"
           "  idle-sign  holds --idle connections open (each answers one list first), signs as in\n"
           "             'sign', then checks that every tenth idle connection still answers\n"
           "Prints one JSON object; exits 0 if every request succeeded, 1 if any failed, 2 on a usage\n"
           "or set-up error.\n";
}

}  // namespace latchkey::bench
