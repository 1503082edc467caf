// latchkey-bench, the load generator of tests/bench: drives one agent socket and prints the run as JSON.
#include <iostream>
#include <optional>
#include <stdexcept>

#include "protocol/userauth.hpp"
#include "tests/bench/agent_connection.hpp"
#include "tests/bench/idle_connections.hpp"
#include "tests/bench/options.hpp"
#include "tests/bench/workload.hpp"

namespace {

using namespace latchkey;
using namespace latchkey::bench;

// The key to sign with: the first listed key whose comment or type name is `wanted`, or the last key
// listed for "last".
ListedKey choose_key(const std::string& socket_path, const std::string& wanted)
{
    boost::asio::io_context io;
    AgentConnection connection(io, socket_path);
    auto keys = listed_keys(connection.request(list_request()));
    if (!keys)
        throw std::runtime_error("the agent's answer to a list request does not decode");
    if (keys->empty())
        throw std::runtime_error("the agent holds no keys: load some with ssh-add first");
    if (wanted == "last")
        return keys->back();
    for (auto& key : *keys)
        if (key.comment == wanted || protocol::key_type_name(key.key) == wanted)
            return key;
    throw std::runtime_error("the agent holds no key named or of type " + wanted);
}

// The generator's own check that it sends what ssh sends: the agent-side parser accepts the data.
void check_payload(const ListedKey& key)
{
    SignRequestStream stream(key, 0);
    stream.next();
    if (!protocol::parse_userauth_request(stream.signed_data()))
        throw std::logic_error("latchkey-bench built a sign payload that is not a userauth request");
}

std::string mode_name(Mode mode)
{
    switch (mode) {
    case Mode::sign: return "sign";
    case Mode::list: return "list";
    case Mode::idle_sign: return "idle-sign";
    }
    return "?";
}

int run(const Options& options)
{
    Workload workload{options.socket_path, options.clients,       options.duration, options.reconnect,
                      std::nullopt,        options.expected_keys, options.verify_every};
    std::map<std::string, std::string> labels{{"mode", mode_name(options.mode)}};
    if (options.mode != Mode::list) {
        workload.sign_with = choose_key(options.socket_path, options.key);
        check_payload(*workload.sign_with);
        labels["key"] = signature_algorithm_for(workload.sign_with->key);
        workload.expected_keys = 0;
    }
    std::optional<IdleConnections> idle;
    if (options.mode == Mode::idle_sign)
        idle.emplace(options.socket_path, options.idle, options.expected_keys);
    RunResult result = run_workload(workload);
    if (idle)
        idle->check_still_served(result);
    std::map<std::string, double> numbers{{"clients", options.clients},
                                          {"reconnect", options.reconnect ? 1 : 0},
                                          {"idle_connections", idle ? double(idle->size()) : 0.0}};
    std::cout << to_json(result, labels, numbers) << '\n';
    return result.failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv)
{
    Options options;
    try {
        options = parse_options({argv + 1, argv + argc});
    } catch (const UsageError& error) {
        std::cerr << "latchkey-bench: " << error.what() << '\n' << usage();
        return 2;
    }
    try {
        return run(options);
    } catch (const boost::system::system_error& error) {
        std::cerr << "latchkey-bench: cannot talk to the agent at " << options.socket_path << ": "
                  << error.code().message() << '\n';
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "latchkey-bench: " << error.what() << '\n';
        return 2;
    }
}
