// syslog through spdlog's syslog sink; the journal through stderr lines with sd-daemon(3) priority prefixes.
#include "platform/posix/system_log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/syslog_sink.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace latchkey::platform {

namespace {

int syslog_priority(spdlog::level::level_enum level)
{
    switch (level) {
    case spdlog::level::critical: return LOG_CRIT;
    case spdlog::level::err: return LOG_ERR;
    case spdlog::level::warn: return LOG_WARNING;
    case spdlog::level::info: return LOG_INFO;
    default: return LOG_DEBUG;
    }
}

class JournalStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& message) override
    {
        std::string line = "<" + std::to_string(syslog_priority(message.level)) + ">";
        line.append(message.payload.data(), message.payload.size());
        line += '\n';
        (void)::write(STDERR_FILENO, line.data(), line.size());  // the journal reads whole lines; nothing to retry
    }
    void flush_() override {}
};

}  // namespace

std::shared_ptr<spdlog::sinks::sink> system_log_sink(const std::string& ident)
{
    return std::make_shared<spdlog::sinks::syslog_sink_mt>(ident, LOG_PID, LOG_AUTH, false);
}

bool stderr_is_journal() noexcept
{
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (stream == nullptr)
        return false;
    unsigned long long device = 0;
    unsigned long long inode = 0;
    if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2)
        return false;
    struct stat status {};
    return ::fstat(STDERR_FILENO, &status) == 0 && status.st_dev == device && status.st_ino == inode;
}

std::shared_ptr<spdlog::sinks::sink> journal_stderr_sink()
{
    return std::make_shared<JournalStderrSink>();
}

}  // namespace latchkey::platform
