// Process hardening for a process that holds private keys: no core dumps, no ptrace by its own user.
#pragma once

namespace latchkey::platform {

// Makes the process non-dumpable (PR_SET_DUMPABLE 0: no ptrace attach by the same user, /proc/<pid>/mem
// closed) and sets RLIMIT_CORE to 0, soft and hard. Both survive fork and are lost on exec, so call it in
// the process that will serve, before any key can arrive. Throws std::system_error naming the call that failed.
// On Windows: no crash dialogs and no error-reporting dumps (SetErrorMode, WER exclusion); never throws.
void harden_process();

}  // namespace latchkey::platform
