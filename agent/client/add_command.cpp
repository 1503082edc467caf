// latchkey add: load key files (and the certificates beside them) into the agent, as ssh-add does.
#include "agent/client/commands.hpp"

#include <filesystem>

#include "agent/deferred_add.hpp"
#include "agent/destination_arguments.hpp"
#include "agent/client/key_loading.hpp"
#include "agent/host_names.hpp"

namespace latchkey::agent::client {

namespace {

using Constraints = std::vector<protocol::Constraint>;

// -t, -c and -h as constraints; the destinations' host keys come from the user's known_hosts files.
Result<Constraints> constraints_of(const Command& command, const ClientContext& context)
{
    Constraints constraints;
    if (command.lifetime_seconds)
        constraints.emplace_back(protocol::LifetimeConstraint{*command.lifetime_seconds});
    if (command.confirm)
        constraints.emplace_back(protocol::ConfirmConstraint{});
    if (!command.destinations.empty()) {
        LATCHKEY_TRY(protocol::RestrictDestinationConstraint restrict,
                     restrict_destinations(command.destinations, default_known_hosts_files(context.home.c_str())));
        constraints.emplace_back(protocol::RestrictDestinationConstraint{std::move(restrict)});
    }
    return constraints;
}

// The reader's own words for what went wrong with a file.
std::string problem(const Error& error)
{
    return error.detail.empty() ? describe(error) : error.detail;
}

bool add_identity(AgentClient& agent, protocol::PrivateKey key, const std::string& comment,
                  const std::vector<protocol::Constraint>& constraints)
{
    protocol::AddIdentity request{std::move(key), comment, constraints, !constraints.empty()};
    return std::holds_alternative<protocol::Success>(agent.call(request));
}

void report_constraints(const Command& command, std::ostream& err)
{
    if (command.lifetime_seconds)
        err << "Lifetime set to " << *command.lifetime_seconds << " seconds\n";
    if (command.confirm)
        err << "The user must confirm each use of the key\n";
}

// Adds the certificate beside `path`, if there is one. False if there is one and it cannot be added.
bool add_certificate(const std::string& path, const keyfiles::KeyFile& file, const std::string& comment,
                     const Constraints& constraints, AgentClient& agent, ClientContext& context)
{
    auto certificate = certificate_beside(path, file.key.public_key);
    if (!certificate) {
        context.err << "Failed to load certificate: " << problem(certificate.error()) << "\n";
        return false;
    }
    if (!*certificate)
        return true;
    const std::string certificate_path = path + "-cert.pub";
    std::string key_id = (*certificate)->key_id;
    protocol::PrivateKey key{protocol::PublicKey(std::move(**certificate)), file.key.secret};
    if (!add_identity(agent, std::move(key), comment, constraints)) {
        context.err << "Certificate " << certificate_path << " (" << key_id << ") add failed: agent refused operation\n";
        return false;
    }
    context.err << "Certificate added: " << certificate_path << " (" << key_id << ")\n";
    return true;
}

// Loads one file and adds its key and certificate. False (after saying why) if anything failed.
bool add_file(const std::string& path, const Command& command, const Constraints& constraints,
              PassphraseMemory& memory, AgentClient& agent, ClientContext& context)
{
    auto file = load_key_file(path, memory, context.prompt);
    if (!file) {
        context.err << "Error loading key \"" << path << "\": " << problem(file.error()) << "\n";
        return false;
    }
    const std::string comment = file->comment.empty() ? path : file->comment;
    if (!add_identity(agent, file->key, comment, constraints)) {
        context.err << "Could not add identity \"" << path << "\": agent refused operation\n";
        return false;
    }
    context.err << "Identity added: " << path << " (" << comment << ")\n";
    report_constraints(command, context.err);
    return add_certificate(path, *file, comment, constraints, agent, context);
}

// --deferred: sends the file still encrypted. False (after saying why) if it is not added.
bool add_deferred_file(const std::string& path, const Constraints& constraints, const Command& command,
                       AgentClient& agent, ClientContext& context)
{
    auto added = deferred_add_file(path, constraints);
    if (!added) {
        context.err << "Error loading key \"" << path << "\": " << problem(added.error()) << "\n";
        return false;
    }
    const std::string& comment = added->comment;
    if (!std::holds_alternative<protocol::Success>(agent.call(added->request))) {
        context.err << "Could not add identity \"" << path << "\": agent refused operation (holding keys "
                    << "encrypted until first use needs latchkeyd)\n";
        return false;
    }
    context.err << "Identity added: " << path << " (" << comment << "), encrypted until its first use\n";
    report_constraints(command, context.err);
    std::error_code code;
    if (std::filesystem::exists(path + "-cert.pub", code))
        context.err << "Certificate " << path << "-cert.pub not added: --deferred keys are added without certificates\n";
    return true;
}

std::vector<std::string> existing_default_files(const std::string& home)
{
    std::vector<std::string> files;
    std::error_code code;
    for (const std::string& file : default_key_files(home))
        if (std::filesystem::exists(file, code))
            files.push_back(file);
    return files;
}

}  // namespace

int run_add(const Command& command, AgentClient& agent, ClientContext& context)
{
    auto constraints = constraints_of(command, context);
    if (!constraints) {
        context.err << constraints.error().detail << "\n";
        return exit_failure;
    }
    std::vector<std::string> files = command.operands;
    if (files.empty()) {
        files = existing_default_files(context.home);
        if (files.empty()) {
            context.err << "No key files given and none of ssh-add's default files in " << context.home << "/.ssh\n";
            return exit_failure;
        }
    }
    PassphraseMemory memory;
    int status = exit_success;
    for (const std::string& path : files)
        if (command.deferred ? !add_deferred_file(path, *constraints, command, agent, context)
                             : !add_file(path, command, *constraints, memory, agent, context))
            status = exit_failure;
    return status;
}

}  // namespace latchkey::agent::client
