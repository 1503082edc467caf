// Pageant's window and pipe handed to the server: the window as a hosted transport, the pipe as a listener.
#include "agent/pageant_transports.hpp"

#include <memory>
#include <utility>

#include "platform/windows/pageant_pipe.hpp"
#include "platform/windows/pageant_window.hpp"
#include "platform/windows/pipe_listener.hpp"

namespace latchkey::agent {

void add_pageant_transports(ServerOptions& options, PageantTransports enabled)
{
    if (enabled.pipe)
        options.more_listeners.push_back(platform::named_pipe_listener(platform::pageant_pipe_name()));
    if (!enabled.window)
        return;
    options.hosted.push_back([](AnswerRequest answer) -> std::shared_ptr<void> {
        return std::make_shared<platform::PageantWindow>([answer = std::move(answer)](SecretBytes request) {
            return answer(std::move(request), Peer{0, 0, pageant_window_peer});
        });
    });
}

}  // namespace latchkey::agent
