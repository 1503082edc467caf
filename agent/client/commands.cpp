// latchkey list, remove, remove-all, lock, unlock and status, and the dispatch to each subcommand.
#include "agent/client/commands.hpp"

#include <filesystem>

#include "agent/client/key_loading.hpp"
#include "agent/client/listing.hpp"
#include "agent/fingerprint.hpp"
#include "protocol/latchkey_extensions.hpp"

namespace latchkey::agent::client {

namespace {

bool succeeded(const protocol::Reply& reply)
{
    return std::holds_alternative<protocol::Success>(reply);
}

// The stock list (REQUEST_IDENTITIES); empty if the agent answers anything else.
std::vector<protocol::Identity> stock_list(AgentClient& agent)
{
    protocol::Reply reply = agent.call(protocol::RequestIdentities{});
    if (auto* answer = std::get_if<protocol::IdentitiesAnswer>(&reply))
        return std::move(answer->identities);
    return {};
}

std::optional<protocol::AgentStatus> agent_status(AgentClient& agent)
{
    auto contents = agent.call_extension(protocol::status_extension_name);
    if (!contents)
        return std::nullopt;
    auto status = protocol::decode_agent_status(*contents);
    if (!status)
        throw AgentUnreachable("the agent at " + agent.path() + " sent a status that does not decode: " +
                               std::string(protocol::describe(status.error())));
    return *status;
}

// Every key with latchkeyd's details, or with only blob and comment from an agent without list-details.
std::vector<ListedKey> listed_keys(AgentClient& agent)
{
    std::vector<ListedKey> keys;
    if (auto contents = agent.call_extension(protocol::list_details_extension_name)) {
        auto details = protocol::decode_identity_details(*contents);
        if (!details)
            throw AgentUnreachable("the agent at " + agent.path() + " sent a key list that does not decode: " +
                                   std::string(protocol::describe(details.error())));
        for (protocol::IdentityDetails& identity : *details)
            keys.push_back({std::move(identity), true});
        return keys;
    }
    for (protocol::Identity& identity : stock_list(agent)) {
        ListedKey key{{}, false};
        key.identity.key_blob = std::move(identity.key_blob);
        key.identity.comment = std::move(identity.comment);
        keys.push_back(std::move(key));
    }
    return keys;
}

int run_list(const Command& command, AgentClient& agent, ClientContext& context)
{
    std::vector<ListedKey> keys = listed_keys(agent);
    if (command.json) {
        context.out << format_key_list_json(keys, context.now);
        return exit_success;
    }
    context.out << format_key_list(keys, context.now);
    if (!keys.empty())
        return exit_success;
    auto status = agent_status(agent);
    if (status && status->locked)
        context.err << "The agent is locked: latchkey unlock shows its keys again.\n";
    return exit_failure;
}

int run_status(const Command& command, AgentClient& agent, ClientContext& context)
{
    StatusView view{agent.path(), agent_status(agent), 0};
    view.key_count = view.status ? view.status->key_count : static_cast<std::uint32_t>(stock_list(agent).size());
    context.out << (command.json ? format_status_json(view) : format_status(view));
    return exit_success;
}

bool is_fingerprint(const std::string& text)
{
    return text.starts_with("SHA256:") || text.starts_with("MD5:");
}

bool remove_blob(AgentClient& agent, const protocol::Bytes& blob)
{
    return succeeded(agent.call(protocol::RemoveIdentity{blob}));
}

// Removes the keys (and certificates of them) whose fingerprint is `fingerprint_text`. False (after saying
// why) if there is none.
bool remove_by_fingerprint(const std::string& fingerprint_text, AgentClient& agent, ClientContext& context)
{
    const FingerprintHash hash = fingerprint_text.starts_with("MD5:") ? FingerprintHash::md5 : FingerprintHash::sha256;
    bool found = false;
    for (const protocol::Identity& identity : stock_list(agent)) {
        if (key_fingerprint(identity.key_blob, hash) != fingerprint_text)
            continue;
        found = true;
        if (!remove_blob(agent, identity.key_blob)) {
            context.err << "Could not remove identity \"" << fingerprint_text << "\": agent refused operation\n";
            return false;
        }
        context.err << "Identity removed: " << fingerprint_text << " (" << identity.comment << ")\n";
    }
    if (!found)
        context.err << "Could not remove identity \"" << fingerprint_text << "\": the agent holds no such key\n";
    return found;
}

// The public key of a key file: from FILE.pub, from FILE itself if it is a public key, else from the
// private key file (which may ask for its passphrase).
Result<protocol::Bytes> public_key_of(const std::string& path, ClientContext& context)
{
    std::error_code code;
    for (const std::string& candidate : {path + ".pub", path}) {
        if (!std::filesystem::is_regular_file(candidate, code))
            continue;
        auto text = read_text_file(candidate);
        if (text)
            if (auto blob = parse_public_key_line(*text))
                return blob;
    }
    PassphraseMemory memory;
    LATCHKEY_TRY(keyfiles::KeyFile file, load_key_file(path, memory, context.prompt));
    return protocol::encode_public_key(file.key.public_key);
}

// Removes the key of a file and the certificate beside it, as ssh-add -d does.
bool remove_file(const std::string& path, AgentClient& agent, ClientContext& context)
{
    auto blob = public_key_of(path, context);
    if (!blob) {
        context.err << "Bad key file " << path << ": " << blob.error().detail << "\n";
        return false;
    }
    if (!remove_blob(agent, *blob)) {
        context.err << "Could not remove identity \"" << path << "\": agent refused operation\n";
        return false;
    }
    context.err << "Identity removed: " << path << " (" << sha256_fingerprint(*blob) << ")\n";
    std::error_code code;
    const std::string certificate_path = path + "-cert.pub";
    if (!std::filesystem::exists(certificate_path, code))
        return true;
    auto text = read_text_file(certificate_path);
    if (!text)
        return true;
    auto certificate = parse_public_key_line(*text);
    if (certificate && remove_blob(agent, *certificate))
        context.err << "Identity removed: " << certificate_path << " (" << sha256_fingerprint(*certificate) << ")\n";
    return true;
}

int run_remove(const Command& command, AgentClient& agent, ClientContext& context)
{
    int status = exit_success;
    for (const std::string& operand : command.operands) {
        bool removed = is_fingerprint(operand) ? remove_by_fingerprint(operand, agent, context)
                                               : remove_file(operand, agent, context);
        if (!removed)
            status = exit_failure;
    }
    return status;
}

int run_remove_all(AgentClient& agent, ClientContext& context)
{
    if (!succeeded(agent.call(protocol::RemoveAllIdentities{}))) {
        context.err << "Failed to remove all identities.\n";
        return exit_failure;
    }
    context.err << "All identities removed.\n";
    return exit_success;
}

// Asks for the lock passphrase: nullopt if the user gave none.
std::optional<SecretBytes> lock_passphrase(ClientContext& context)
{
    return context.prompt("Enter lock password: ");
}

int run_lock(AgentClient& agent, ClientContext& context)
{
    std::optional<SecretBytes> passphrase = lock_passphrase(context);
    if (!passphrase)
        return exit_failure;
    std::optional<SecretBytes> again = context.prompt("Again: ");
    if (!again || !(*again == *passphrase)) {
        context.err << "Passwords do not match.\n";
        return exit_failure;
    }
    if (!succeeded(agent.call(protocol::Lock{std::move(*passphrase)}))) {
        context.err << "Failed to lock agent.\n";
        return exit_failure;
    }
    context.err << "Agent locked.\n";
    return exit_success;
}

int run_unlock(AgentClient& agent, ClientContext& context)
{
    std::optional<SecretBytes> passphrase = lock_passphrase(context);
    if (!passphrase || !succeeded(agent.call(protocol::Unlock{std::move(*passphrase)}))) {
        context.err << "Failed to unlock agent.\n";
        return exit_failure;
    }
    context.err << "Agent unlocked.\n";
    return exit_success;
}

}  // namespace

int run_command(const Command& command, AgentClient& agent, ClientContext& context)
{
    switch (command.subcommand) {
    case Subcommand::add: return run_add(command, agent, context);
    case Subcommand::list: return run_list(command, agent, context);
    case Subcommand::remove: return run_remove(command, agent, context);
    case Subcommand::remove_all: return run_remove_all(agent, context);
    case Subcommand::lock: return run_lock(agent, context);
    case Subcommand::unlock: return run_unlock(agent, context);
    case Subcommand::status: return run_status(command, agent, context);
    case Subcommand::help:
    case Subcommand::version: break;
    }
    return exit_failure;
}

}  // namespace latchkey::agent::client
