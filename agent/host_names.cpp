// Names of bound hosts for confirmation prompts, read from known_hosts files at each prompt.
#include "agent/host_names.hpp"

#include <fstream>
#include <iterator>

#include "agent/known_hosts.hpp"

namespace latchkey::agent {

protocol::Bytes read_known_hosts_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    protocol::Bytes contents;
    std::istreambuf_iterator<char> it(in), end;
    for (; it != end && contents.size() < max_known_hosts_file; ++it)
        contents.push_back(static_cast<std::uint8_t>(*it));
    return contents;
}

std::vector<std::string> default_known_hosts_files(const char* home)
{
    std::vector<std::string> files;
    if (home != nullptr && *home != '\0') {
        files.push_back(std::string(home) + "/.ssh/known_hosts");
        files.push_back(std::string(home) + "/.ssh/known_hosts2");
    }
    files.emplace_back("/etc/ssh/ssh_known_hosts");
    files.emplace_back("/etc/ssh/ssh_known_hosts2");
    return files;
}

std::string describe_host_key(const protocol::PublicKey& host_key, std::string_view fingerprint,
                              const std::vector<std::string>& files)
{
    KnownHosts all;
    for (const std::string& file : files) {
        KnownHosts one = parse_known_hosts(read_known_hosts_file(file));
        std::move(one.entries.begin(), one.entries.end(), std::back_inserter(all.entries));
    }
    const KeyHostNames found = find_key_host_names(all, host_key);
    const std::string suffix = " (" + std::string(fingerprint) + ")";
    if (found.revoked)
        return "a host whose key known_hosts marks @revoked" + suffix;
    if (found.names.empty())
        return (found.hashed_matches != 0 ? "a host with a hashed known_hosts name" : "an unknown host") + suffix;
    std::string joined;
    for (const std::string& name : found.names)
        joined += (joined.empty() ? "" : ", ") + name;
    return joined + suffix;
}

}  // namespace latchkey::agent
