// The client threads of a workload: connect, wait for the others, then request, check and time in a loop.
#include "tests/bench/workload.hpp"

#include <latch>
#include <thread>
#include <vector>

#include "agent/keys/verify.hpp"
#include "tests/bench/agent_connection.hpp"

namespace latchkey::bench {

namespace {

using SteadyClock = std::chrono::steady_clock;

// What one client sends and how it checks the answers.
class Client {
public:
    Client(const Workload& workload, unsigned index)
        : workload_(workload), list_body_(list_request())
    {
        if (workload.sign_with) {
            stream_.emplace(*workload.sign_with, std::uint64_t(index) << 40);
            algorithm_ = signature_algorithm_for(workload.sign_with->key);
        }
    }

    // Connects ahead of the timed loop in persistent mode; a failure is left for the loop to count.
    void prepare()
    {
        if (!workload_.reconnect)
            connect_or_note();
    }

    void run(std::chrono::milliseconds duration)
    {
        const auto started = SteadyClock::now();
        const auto deadline = started + duration;
        for (auto now = started; now < deadline;) {
            std::string error = one_request();
            const auto done = SteadyClock::now();
            if (error.empty()) {
                ++result_.requests;
                result_.latencies_us.push_back(static_cast<std::uint32_t>(
                    std::chrono::duration_cast<std::chrono::microseconds>(done - now).count()));
            } else {
                ++result_.failures;
                if (result_.errors.size() < 5)
                    result_.errors.push_back(std::move(error));
            }
            now = done;
        }
        result_.elapsed = SteadyClock::now() - started;
    }

    RunResult take() && { return std::move(result_); }

private:
    void connect_or_note()
    {
        try {
            connection_.emplace(io_, workload_.socket_path);
        } catch (const std::exception&) {
            connection_.reset();
        }
    }

    // Sends one request and checks its reply; returns "" or what was wrong.
    std::string one_request()
    {
        try {
            if (!connection_ || workload_.reconnect)
                connection_.emplace(io_, workload_.socket_path);
            return stream_ ? sign_once() : list_once();
        } catch (const boost::system::system_error& error) {
            connection_.reset();
            return "connection: " + error.code().message();
        } catch (const std::exception& error) {
            connection_.reset();
            return std::string("connection: ") + error.what();
        }
    }

    std::string list_once()
    {
        if (!is_identities_answer(connection_->request(list_body_), workload_.expected_keys))
            return "list: not an identities answer with " + std::to_string(workload_.expected_keys) + " keys";
        return "";
    }

    std::string sign_once()
    {
        auto signature = signature_in(connection_->request(stream_->next()), algorithm_);
        if (!signature)
            return "sign: not a " + algorithm_ + " signature response";
        if (sent_signatures_++ % workload_.verify_every == 0) {
            auto verified = agent::verify_signature(workload_.sign_with->key, *signature, stream_->signed_data());
            if (!verified)
                return "sign: the signature does not verify: " + agent::describe(verified.error());
            ++result_.verified;
        }
        return "";
    }

    const Workload& workload_;
    protocol::Bytes list_body_;
    std::optional<SignRequestStream> stream_;
    std::string algorithm_;
    std::uint64_t sent_signatures_ = 0;
    boost::asio::io_context io_;
    std::optional<AgentConnection> connection_;
    RunResult result_;
};

}  // namespace

RunResult run_workload(const Workload& workload)
{
    std::vector<std::unique_ptr<Client>> clients;
    for (unsigned i = 0; i < workload.clients; ++i)
        clients.push_back(std::make_unique<Client>(workload, i));
    std::latch ready(workload.clients);
    std::vector<std::jthread> threads;
    for (auto& client : clients) {
        threads.emplace_back([&ready, &client, &workload] {
            client->prepare();
            ready.arrive_and_wait();
            client->run(workload.duration);
        });
    }
    threads.clear();  // joins
    RunResult total;
    for (auto& client : clients)
        total.merge(std::move(*client).take());
    return total;
}

}  // namespace latchkey::bench
