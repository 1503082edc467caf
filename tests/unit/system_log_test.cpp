// Tests for platform/posix/system_log: recognising the journal on stderr and its "<N>" priority lines.
#include <doctest/doctest.h>

#include <spdlog/logger.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "platform/posix/system_log.hpp"

using namespace latchkey;

namespace {

// Points stderr at a fresh temporary file for the scope's lifetime; restores it after.
class StderrToFile {
public:
    StderrToFile() : saved_(::dup(STDERR_FILENO))
    {
        char name[] = "/tmp/latchkey-system-log-XXXXXX";
        const int fd = ::mkstemp(name);
        REQUIRE(fd >= 0);
        path_ = name;
        REQUIRE(::dup2(fd, STDERR_FILENO) == STDERR_FILENO);
        ::close(fd);
    }
    ~StderrToFile()
    {
        ::dup2(saved_, STDERR_FILENO);
        ::close(saved_);
        std::remove(path_.c_str());
        ::unsetenv("JOURNAL_STREAM");
    }
    StderrToFile(const StderrToFile&) = delete;
    StderrToFile& operator=(const StderrToFile&) = delete;

    // "device:inode" of the file, as systemd sets JOURNAL_STREAM.
    std::string stream_id() const
    {
        struct stat status {};
        REQUIRE(::stat(path_.c_str(), &status) == 0);
        return std::to_string(status.st_dev) + ":" + std::to_string(status.st_ino);
    }
    std::string contents() const
    {
        std::ifstream in(path_);
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    }

private:
    int saved_;
    std::string path_;
};

}  // namespace

TEST_CASE("stderr is the journal only when JOURNAL_STREAM names stderr's device and inode")
{
    StderrToFile stderr_file;
    ::unsetenv("JOURNAL_STREAM");
    CHECK_FALSE(platform::stderr_is_journal());
    ::setenv("JOURNAL_STREAM", stderr_file.stream_id().c_str(), 1);
    CHECK(platform::stderr_is_journal());
    ::setenv("JOURNAL_STREAM", "1:2", 1);
    CHECK_FALSE(platform::stderr_is_journal());
    ::setenv("JOURNAL_STREAM", "garbage", 1);
    CHECK_FALSE(platform::stderr_is_journal());
}

TEST_CASE("the journal sink writes one line per message, prefixed with its syslog priority")
{
    StderrToFile stderr_file;
    spdlog::logger logger("test", platform::journal_stderr_sink());
    logger.set_level(spdlog::level::debug);
    logger.critical("down");
    logger.error("bad {}", 1);
    logger.warn("careful");
    logger.info("fine");
    logger.debug("detail");
    CHECK(stderr_file.contents() == "<2>down\n<3>bad 1\n<4>careful\n<6>fine\n<7>detail\n");
}
