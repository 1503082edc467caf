// The latchkey command line: subcommands and their options, parsed without side effects.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace latchkey::agent::client {

enum class Subcommand { help, version, add, list, remove, remove_all, lock, unlock, status };

// One parsed command line. Fields a subcommand does not take keep their defaults.
struct Command {
    Subcommand subcommand = Subcommand::help;
    // For help: the subcommand whose help to print (nullopt = the overview).
    std::optional<Subcommand> help_for;
    // add
    std::optional<std::uint32_t> lifetime_seconds;  // -t life
    bool confirm = false;                           // -c
    std::vector<std::string> destinations;          // -h dest, in order
    bool deferred = false;                          // --deferred
    // list, status
    bool json = false;
    // add: key files (empty = the default files); remove: files or fingerprints
    std::vector<std::string> operands;
};

// A command line that cannot be run. what() says what is wrong; subcommand names the usage to show
// (nullopt = the overview).
class UsageError : public std::runtime_error {
public:
    UsageError(const std::string& message, std::optional<Subcommand> subcommand)
        : std::runtime_error(message), subcommand_(subcommand)
    {
    }
    std::optional<Subcommand> subcommand() const { return subcommand_; }

private:
    std::optional<Subcommand> subcommand_;
};

// Parses the arguments after the program name. `--help`/`-h` alone and `help [SUBCOMMAND]` give
// Subcommand::help (for add, -h takes a destination, so only --help asks for help there). Throws
// UsageError for no subcommand, an unknown one, an unknown option, a missing or invalid option value
// ("-t" takes ssh-agent's time format, at most 2^32-1 s), operands where none are allowed or none
// where some are needed (remove).
Command parse_arguments(const std::vector<std::string>& arguments);

// "add", "list", ... as typed on the command line.
std::string subcommand_name(Subcommand subcommand);

// The overview (`latchkey --help`) and each subcommand's help text, ending in a newline.
std::string help_text(std::optional<Subcommand> subcommand);

}  // namespace latchkey::agent::client
