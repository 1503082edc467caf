// Process plumbing for a forking daemon: fork with a readiness pipe, detaching, exec, parent death, kill.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "platform/current_process.hpp"
#include "platform/unique_fd.hpp"

namespace latchkey::platform {

// One side of a fork: in the parent pid is the child's and ready_pipe reads; in the child pid is 0 and
// ready_pipe writes. Both ends are close-on-exec.
struct ForkedProcess {
    int pid = 0;
    UniqueFd ready_pipe;
};

// Flushes stdout and stderr (so buffered output is not written twice) and forks. Throws std::system_error
// if pipe or fork fails.
ForkedProcess fork_with_ready_pipe();

// In the child: tells the parent start-up has succeeded, and closes the pipe. Never fails: a parent that
// has gone no longer listens.
void report_ready(UniqueFd ready_pipe) noexcept;

// In the parent: blocks until the child reports ready (true) or closes the pipe without doing so, usually
// by exiting (false). Never throws.
bool wait_until_ready(const UniqueFd& ready_pipe) noexcept;

// Starts a new session without a controlling terminal, changes to / and points stdin, stdout and stderr at
// /dev/null, so that a $(...) around the starting command returns at once. Throws std::system_error if
// setsid, open or dup2 fails.
void detach_from_terminal();

// Opens /dev/null on whichever of stdin, stdout and stderr is closed, so that no socket or pipe the
// process opens later gets one of their numbers. Throws std::system_error if /dev/null cannot be opened.
void open_standard_descriptors();

// Asks the kernel to send SIGTERM when the parent process ends. Returns false if the parent (parent_pid)
// has already ended, in which case no signal will come. Throws std::system_error if prctl fails.
bool terminate_with_parent(int parent_pid);

// Replaces the process with command[0] (searched in PATH) and its arguments, with each (name, value) of
// environment set. Returns only by throwing: std::system_error "<command[0]>" with the reason, or
// std::invalid_argument if command is empty.
[[noreturn]] void exec_command(const std::vector<std::string>& command,
                               const std::vector<std::pair<std::string, std::string>>& environment);

// Sends SIGTERM to pid. Throws std::system_error "kill" with the reason if it cannot.
void terminate_process(int pid);

// The soft limit on open descriptors (RLIMIT_NOFILE): SIZE_MAX if unlimited, 0 if it cannot be read.
// Never fails.
std::size_t descriptor_limit() noexcept;

// Makes a write to a socket whose peer has gone fail with EPIPE instead of killing the process.
void ignore_broken_pipes() noexcept;

}  // namespace latchkey::platform
