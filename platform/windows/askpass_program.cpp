// The askpass program and the requesting process's ancestry on Windows (a Toolhelp process snapshot).
#include "platform/askpass_program.hpp"

#include <windows.h>
#include <tlhelp32.h>

#include <cstdlib>
#include <map>

namespace latchkey::platform {

namespace {

struct ProcessEntry {
    std::int64_t parent = 0;
    std::string name;
};

// Every process's parent and executable name, or an empty map if the snapshot fails.
std::map<std::int64_t, ProcessEntry> process_table()
{
    std::map<std::int64_t, ProcessEntry> table;
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (snapshot == INVALID_HANDLE_VALUE)
        return table;
    PROCESSENTRY32 entry{};
    entry.dwSize = sizeof entry;
    for (BOOL more = Process32First(snapshot, &entry); more; more = Process32Next(snapshot, &entry))
        table[entry.th32ProcessID] = ProcessEntry{entry.th32ParentProcessID, entry.szExeFile};
    CloseHandle(snapshot);
    return table;
}

}  // namespace

std::optional<std::string> find_askpass_program()
{
    const char* program = std::getenv("SSH_ASKPASS");
    if (program != nullptr && *program != '\0')
        return std::string(program);
    return std::nullopt;
}

std::string process_ancestry(std::int64_t pid)
{
    if (pid <= 0)
        return "an unknown process";
    const auto table = process_table();
    std::string chain;
    for (int depth = 0; depth < 6 && pid > 4; ++depth) {  // pids 0 and 4 are the idle and system processes
        if (!chain.empty())
            chain += " \xE2\x86\x90 ";  // ←
        auto found = table.find(pid);
        if (found == table.end()) {
            chain += "? (pid " + std::to_string(pid) + ")";
            break;
        }
        chain += found->second.name + " (pid " + std::to_string(pid) + ")";
        pid = found->second.parent;
    }
    return chain;
}

}  // namespace latchkey::platform
