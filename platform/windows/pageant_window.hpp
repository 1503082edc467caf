// Pageant's window transport: a hidden window of class and title "Pageant" that answers WM_COPYDATA.
#pragma once

#include <thread>

#include "platform/windows/pageant_mapping.hpp"

namespace latchkey::platform {

// The hidden top-level window PuTTY, WinSCP and other Pageant clients find with FindWindow("Pageant",
// "Pageant"). It lives on its own thread with its own message loop; each WM_COPYDATA request is answered
// by answer_pageant_mapping on that thread, which waits for `answer` (the agent's request path) while the
// agent's other transports go on serving. Refused mappings are logged (never their contents).
class PageantWindow {
public:
    // Registers the class, creates the window and starts its thread. Throws std::system_error if another
    // window of class "Pageant" exists already (Pageant or another agent is running: the message says so)
    // or the window cannot be created.
    explicit PageantWindow(PageantAnswer answer);
    // Destroys the window and joins its thread; a request being answered finishes first.
    ~PageantWindow();
    PageantWindow(const PageantWindow&) = delete;
    PageantWindow& operator=(const PageantWindow&) = delete;

private:
    PageantAnswer answer_;
    std::thread thread_;
    void* window_ = nullptr;  // HWND, touched only to post WM_CLOSE
};

}  // namespace latchkey::platform
