// Test driver under Wine for platform/windows/autostart until latchkeyd.exe carries its flags:
// autostart_tool.exe install [ARGUMENTS] | uninstall | show. Prints the outcome; exits 1 with the reason on an error.
#include <windows.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include "platform/windows/autostart.hpp"

namespace {

std::wstring widen(const char* text)  // the test passes ASCII only
{
    const std::string narrow(text);
    return {narrow.begin(), narrow.end()};
}

}  // namespace

int main(int argc, char** argv)
{
    namespace platform = latchkey::platform;
    try {
        if (argc >= 2 && std::strcmp(argv[1], "install") == 0 && argc <= 3) {
            std::printf("installed %ls\n", platform::install_autostart(argc == 3 ? widen(argv[2]) : L"").c_str());
        } else if (argc == 2 && std::strcmp(argv[1], "uninstall") == 0) {
            std::printf("%s\n", platform::uninstall_autostart() ? "removed" : "none");
        } else if (argc == 2 && std::strcmp(argv[1], "show") == 0) {
            const auto command = platform::autostart_command();
            std::printf("%ls\n", command ? command->c_str() : L"none");
        } else {
            std::fprintf(stderr, "usage: autostart_tool.exe install [ARGUMENTS] | uninstall | show\n");
            return 2;
        }
    } catch (const std::system_error& error) {
        std::fprintf(stderr, "autostart_tool: %s\n", error.what());
        return 1;
    }
}
