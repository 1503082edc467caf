// Joins this program's stdin and stdout to a Windows named pipe, so that programs outside Wine (ssh-add,
// ssh-keygen -Y, through tests/windows/unix_bridge.py) talk to latchkeyd.exe's pipe. Usage: pipe_relay PIPE.
// Exits when either side ends; exit status 2 if the pipe cannot be opened.
#include <windows.h>

#include <iostream>
#include <thread>

namespace {

// Copies from `from` to `to` until one of them fails or ends. Returns nothing: the end is the news.
void copy(HANDLE from, HANDLE to)
{
    char buffer[16384];
    DWORD got = 0;
    while (ReadFile(from, buffer, sizeof buffer, &got, nullptr) && got > 0) {
        DWORD written = 0;
        for (DWORD done = 0; done < got; done += written) {
            if (!WriteFile(to, buffer + done, got - done, &written, nullptr))
                return;
        }
    }
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: pipe_relay PIPE\n";
        return 2;
    }
    HANDLE pipe = CreateFileA(argv[1], GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    if (pipe == INVALID_HANDLE_VALUE) {
        std::cerr << "pipe_relay: cannot open " << argv[1] << ": error " << GetLastError() << "\n";
        return 2;
    }
    std::thread([pipe] {
        copy(GetStdHandle(STD_INPUT_HANDLE), pipe);
        ExitProcess(0);  // the client went: nothing more to relay
    }).detach();
    copy(pipe, GetStdHandle(STD_OUTPUT_HANDLE));
    ExitProcess(0);
}
