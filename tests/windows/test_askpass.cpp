// An askpass for the Windows end-to-end test: records each prompt, answers confirmations from a file
// ("yes": exit 0, anything else: exit 1) and passphrase requests with the first line of another.
// LATCHKEY_TEST_ANSWERS names the directory of the files: prompts.log (appended), confirm, passphrase.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

namespace {

std::string first_line(const std::string& path)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

int main(int argc, char** argv)
{
    const char* directory = std::getenv("LATCHKEY_TEST_ANSWERS");
    if (directory == nullptr || argc < 2) {
        std::cerr << "test_askpass: needs LATCHKEY_TEST_ANSWERS and a prompt\n";
        return 2;
    }
    const std::string base = std::string(directory) + "\\";
    const char* purpose = std::getenv("SSH_ASKPASS_PROMPT");
    const bool confirm = purpose != nullptr && std::string(purpose) == "confirm";
    std::ofstream(base + "prompts.log", std::ios::app) << (confirm ? "confirm: " : "passphrase: ") << argv[1] << "\n";
    if (confirm)
        return first_line(base + "confirm") == "yes" ? 0 : 1;
    std::cout << first_line(base + "passphrase") << "\n";
    return 0;
}
