// The name of Pageant's named pipe for this user, computed the way PuTTY 0.75 and later compute it.
#pragma once

#include <string>

namespace latchkey::platform {

// \\.\pipe\pageant.<user>.<hex SHA-256 of uint32_be(16) ‖ CryptProtectMemory("Pageant", padded with NULs
// to 16 bytes, CROSS_PROCESS)>, where <user> is GetUserNameEx(NameUserPrincipal) cut at '@', or GetUserName
// where there is no principal name. Like PuTTY, it hashes the block unprotected when CryptProtectMemory
// fails. Throws std::system_error if the user name cannot be read or SHA-256 is unavailable.
std::string pageant_pipe_name();

}  // namespace latchkey::platform
