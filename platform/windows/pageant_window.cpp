// Pageant's window transport: the window thread, its message loop and the WM_COPYDATA handler.
#include "platform/windows/pageant_window.hpp"

#include <windows.h>

#include <spdlog/spdlog.h>

#include <exception>
#include <future>
#include <string>
#include <system_error>

namespace latchkey::platform {
namespace {

constexpr const wchar_t* window_name = L"Pageant";  // class and title: what Pageant clients look for
constexpr DWORD longest_mapping_name = 256;

std::system_error last_error(const char* what)
{
    return {static_cast<int>(GetLastError()), std::system_category(), what};
}

// WM_COPYDATA: the data must be a NUL-terminated mapping name of sensible length.
LRESULT on_copydata(const PageantAnswer& answer, const COPYDATASTRUCT& data)
{
    if (data.dwData != pageant_copydata_id || data.lpData == nullptr || data.cbData == 0 ||
        data.cbData > longest_mapping_name) {
        return 0;
    }
    const auto* name = static_cast<const char*>(data.lpData);
    if (name[data.cbData - 1] != '\0') {
        return 0;
    }
    MappingRefusal refusal = MappingRefusal::none;
    try {
        refusal = answer_pageant_mapping(std::string(name), answer);
    } catch (const std::exception& error) {  // nothing may unwind through the window procedure
        spdlog::warn("Pageant request not answered: {}", error.what());
        return 0;
    }
    if (refusal != MappingRefusal::none) {
        spdlog::warn("Pageant request refused: {}", describe(refusal));
        return 0;
    }
    return 1;
}

LRESULT CALLBACK window_procedure(HWND window, UINT message, WPARAM wparam, LPARAM lparam)
{
    switch (message) {
    case WM_NCCREATE: {
        const auto* create = reinterpret_cast<const CREATESTRUCTW*>(lparam);
        SetWindowLongPtrW(window, GWLP_USERDATA, reinterpret_cast<LONG_PTR>(create->lpCreateParams));
        break;
    }
    case WM_COPYDATA: {
        const auto* answer = reinterpret_cast<const PageantAnswer*>(GetWindowLongPtrW(window, GWLP_USERDATA));
        return answer == nullptr ? 0 : on_copydata(*answer, *reinterpret_cast<const COPYDATASTRUCT*>(lparam));
    }
    case WM_DESTROY:
        PostQuitMessage(0);
        return 0;
    default:
        break;
    }
    return DefWindowProcW(window, message, wparam, lparam);
}

// Registers the class and creates the hidden window on the calling thread. Throws std::system_error.
HWND create_window(PageantAnswer* answer)
{
    if (FindWindowW(window_name, window_name) != nullptr) {
        throw std::system_error(std::make_error_code(std::errc::address_in_use),
                                "a Pageant window exists already (Pageant or another agent is running; "
                                "quit it first)");
    }
    WNDCLASSW window_class{};
    window_class.lpfnWndProc = window_procedure;
    window_class.hInstance = GetModuleHandleW(nullptr);
    window_class.lpszClassName = window_name;
    if (RegisterClassW(&window_class) == 0 && GetLastError() != ERROR_CLASS_ALREADY_EXISTS) {
        throw last_error("cannot register the Pageant window class");
    }
    // A real (hidden) top-level window: FindWindow does not see message-only windows.
    HWND window = CreateWindowExW(0, window_name, window_name, WS_OVERLAPPEDWINDOW, CW_USEDEFAULT,
                                  CW_USEDEFAULT, 100, 100, nullptr, nullptr, window_class.hInstance, answer);
    if (window == nullptr) {
        throw last_error("cannot create the Pageant window");
    }
    return window;
}

}  // namespace

PageantWindow::PageantWindow(PageantAnswer answer) : answer_(std::move(answer))
{
    std::promise<HWND> created;
    std::future<HWND> window = created.get_future();
    // The promise moves into the thread, so nothing on this stack is touched once the window exists.
    thread_ = std::thread([this, created = std::move(created)]() mutable {
        try {
            created.set_value(create_window(&answer_));
        } catch (...) {
            created.set_exception(std::current_exception());
            return;
        }
        MSG message;
        while (GetMessageW(&message, nullptr, 0, 0) > 0) {
            DispatchMessageW(&message);
        }
    });
    try {
        window_ = window.get();
    } catch (...) {
        thread_.join();
        throw;
    }
}

PageantWindow::~PageantWindow()
{
    PostMessageW(static_cast<HWND>(window_), WM_CLOSE, 0, 0);
    thread_.join();
}

}  // namespace latchkey::platform
