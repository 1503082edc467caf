// Parsing of latchkey's subcommands and options, and their help texts.
#include "agent/client/arguments.hpp"

#include <array>
#include <limits>
#include <utility>

#include "agent/duration.hpp"

namespace latchkey::agent::client {

namespace {

struct SubcommandInfo {
    Subcommand subcommand;
    const char* name;
    const char* help;
};

const std::array<SubcommandInfo, 7> subcommands = {{
    {Subcommand::add, "add",
     "usage: latchkey add [-c] [-t life] [-h destination]... [--deferred] [FILE...]\n"
     "Loads private keys (OpenSSH, PEM/PKCS#8, PuTTY .ppk) into the agent. Without FILE: ~/.ssh/id_rsa,\n"
     "id_ecdsa, id_ecdsa_sk, id_ed25519, id_ed25519_sk and id_dsa, those that exist. A FILE-cert.pub\n"
     "next to a key is loaded with it. Passphrases are read from the terminal, or through SSH_ASKPASS\n"
     "when there is none (SSH_ASKPASS_REQUIRE=never|prefer|force as for ssh-add).\n"
     "  -c              ask for confirmation (through the agent's askpass) before each use\n"
     "  -t life         remove the keys after life (seconds, or 1h30m as ssh-agent -t)\n"
     "  -h destination  only for this destination: host, user@host or 'a>b' hops (repeatable)\n"
     "  --deferred      keep the key encrypted in the agent until its first use\n"},
    {Subcommand::list, "list",
     "usage: latchkey list [--json]\n"
     "Lists the agent's keys: bits, fingerprint, comment, type, then any lifetime left, confirmation,\n"
     "destinations, certificate validity and deferred state. Exit status 1 if there are none.\n"},
    {Subcommand::remove, "remove",
     "usage: latchkey remove FILE|FINGERPRINT...\n"
     "Removes keys, named by key file (its .pub is read, and FILE-cert.pub is removed too) or by\n"
     "fingerprint (SHA256:... or MD5:... as latchkey list shows).\n"},
    {Subcommand::remove_all, "remove-all", "usage: latchkey remove-all\nRemoves every key from the agent.\n"},
    {Subcommand::lock, "lock",
     "usage: latchkey lock\nLocks the agent with a passphrase (asked twice): it hides and refuses to use\n"
     "its keys until latchkey unlock.\n"},
    {Subcommand::unlock, "unlock", "usage: latchkey unlock\nUnlocks the agent with the lock passphrase.\n"},
    {Subcommand::status, "status",
     "usage: latchkey status [--json]\n"
     "Shows the agent's socket, process id, version, number of keys and whether it is locked.\n"},
}};

const char* overview =
    "usage: latchkey SUBCOMMAND [OPTIONS] [ARGUMENTS]\n"
    "Drives the latchkey agent (latchkeyd) found through SSH_AUTH_SOCK.\n"
    "\n"
    "  add [-c] [-t life] [-h dest]... [--deferred] [FILE...]   load keys\n"
    "  list [--json]                                            list keys\n"
    "  remove FILE|FINGERPRINT...                               remove keys\n"
    "  remove-all                                               remove every key\n"
    "  lock                                                     lock the agent with a passphrase\n"
    "  unlock                                                   unlock it\n"
    "  status [--json]                                          describe the agent\n"
    "\n"
    "latchkey SUBCOMMAND --help shows a subcommand's options; latchkey --version the version.\n"
    "Exit status: 0 success, 1 failure, 2 the agent cannot be reached.\n";

std::optional<Subcommand> find_subcommand(const std::string& name)
{
    for (const SubcommandInfo& info : subcommands)
        if (name == info.name)
            return info.subcommand;
    return std::nullopt;
}

std::uint32_t parse_lifetime(const std::string& text)
{
    std::optional<std::chrono::seconds> duration = parse_duration(text);
    if (!duration || duration->count() <= 0)
        throw UsageError("invalid lifetime \"" + text + "\": give seconds or a time like 1h30m", Subcommand::add);
    return static_cast<std::uint32_t>(duration->count());
}

// The arguments of one subcommand, option by option.
class SubcommandParser {
public:
    SubcommandParser(Command& command, const std::vector<std::string>& arguments)
        : command_(command), arguments_(arguments)
    {
    }

    void parse()
    {
        bool options_done = false;
        for (index_ = 1; index_ < arguments_.size(); ++index_) {
            const std::string& argument = arguments_[index_];
            if (!options_done && argument == "--")
                options_done = true;
            else if (!options_done && argument.size() > 1 && argument[0] == '-')
                option(argument);
            else
                command_.operands.push_back(argument);
        }
        check_operands();
    }

private:
    Subcommand subcommand() const { return command_.subcommand; }

    void option(const std::string& argument)
    {
        const bool add = subcommand() == Subcommand::add;
        if (argument == "--help" || (argument == "-h" && !add)) {
            command_.help_for = subcommand();
            command_.subcommand = Subcommand::help;
            index_ = arguments_.size();
        } else if (argument == "--json" && (subcommand() == Subcommand::list || subcommand() == Subcommand::status)) {
            command_.json = true;
        } else if (add && argument == "-c") {
            command_.confirm = true;
        } else if (add && argument == "--deferred") {
            command_.deferred = true;
        } else if (add && (argument == "-t" || argument == "-h")) {
            std::string value = value_of(argument);
            if (argument == "-t")
                command_.lifetime_seconds = parse_lifetime(value);
            else
                command_.destinations.push_back(std::move(value));
        } else {
            throw UsageError("unknown option " + argument + " for latchkey " + subcommand_name(subcommand()),
                             subcommand());
        }
    }

    std::string value_of(const std::string& option)
    {
        if (index_ + 1 >= arguments_.size())
            throw UsageError("option " + option + " needs a value", subcommand());
        return arguments_[++index_];
    }

    void check_operands() const
    {
        if (command_.subcommand == Subcommand::help)
            return;
        if (subcommand() == Subcommand::remove && command_.operands.empty())
            throw UsageError("latchkey remove needs a key file or fingerprint", subcommand());
        if (subcommand() != Subcommand::add && subcommand() != Subcommand::remove && !command_.operands.empty())
            throw UsageError("latchkey " + subcommand_name(subcommand()) + " takes no arguments", subcommand());
    }

    Command& command_;
    const std::vector<std::string>& arguments_;
    std::size_t index_ = 1;
};

}  // namespace

Command parse_arguments(const std::vector<std::string>& arguments)
{
    Command command;
    if (arguments.empty())
        throw UsageError("missing subcommand", std::nullopt);
    const std::string& first = arguments.front();
    if (first == "--help" || first == "-h" || first == "help") {
        if (first == "help" && arguments.size() > 1)
            command.help_for = find_subcommand(arguments[1]);
        if (arguments.size() > (first == "help" ? 2u : 1u) || (arguments.size() > 1 && !command.help_for))
            throw UsageError("unexpected argument after " + first, std::nullopt);
        return command;
    }
    if (first == "--version" || first == "-V") {
        if (arguments.size() > 1)
            throw UsageError("unexpected argument after " + first, std::nullopt);
        command.subcommand = Subcommand::version;
        return command;
    }
    std::optional<Subcommand> subcommand = find_subcommand(first);
    if (!subcommand)
        throw UsageError("unknown subcommand \"" + first + "\"", std::nullopt);
    command.subcommand = *subcommand;
    SubcommandParser(command, arguments).parse();
    return command;
}

std::string subcommand_name(Subcommand subcommand)
{
    for (const SubcommandInfo& info : subcommands)
        if (info.subcommand == subcommand)
            return info.name;
    return subcommand == Subcommand::version ? "--version" : "--help";
}

std::string help_text(std::optional<Subcommand> subcommand)
{
    for (const SubcommandInfo& info : subcommands)
        if (subcommand == info.subcommand)
            return info.help;
    return overview;
}

}  // namespace latchkey::agent::client
