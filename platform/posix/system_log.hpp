// Where a daemon without a terminal logs: syslog (facility auth) when detached, the journal under systemd.
#pragma once

#include <spdlog/sinks/sink.h>

#include <memory>
#include <string>

namespace latchkey::platform {

// A thread-safe sink that writes to syslog under `ident`, with the pid, facility LOG_AUTH (as
// ssh-agent). Never fails; messages are lost if syslog is unavailable.
std::shared_ptr<spdlog::sinks::sink> system_log_sink(const std::string& ident);

// True if stderr is a stream to the systemd journal: JOURNAL_STREAM ("device:inode") names stderr's file.
// Never fails.
bool stderr_is_journal() noexcept;

// A thread-safe sink that writes each message to stderr as one line "<N>message", N being the syslog
// priority of its level, which the journal (and nothing else) reads as that line's priority. Never
// fails; lines are lost if stderr is closed.
std::shared_ptr<spdlog::sinks::sink> journal_stderr_sink();

}  // namespace latchkey::platform
