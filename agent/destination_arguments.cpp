// Turning ssh-add -h style destinations into restrict-destination constraints with known_hosts keys.
#include "agent/destination_arguments.hpp"

#include "agent/host_names.hpp"

namespace latchkey::agent {

namespace {

// "[host]" → "host", as OpenSSH's cleanhostname.
std::string clean_host(std::string_view host)
{
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    return std::string(host);
}

Result<protocol::DestinationHop> hop_for(const std::string& user, const std::string& host,
                                         const KnownHosts& known_hosts)
{
    protocol::DestinationHop hop{user, host, {}};
    const HostKeys keys = find_host_keys(known_hosts, known_hosts_name(host));
    for (const protocol::PublicKey& key : keys.keys)
        hop.keys.push_back({key, false});
    for (const protocol::PublicKey& key : keys.certificate_authorities)
        hop.keys.push_back({key, true});
    if (hop.keys.empty())
        return fail(Error(ErrorCode::not_found, "no host keys found for destination \"" + host +
                                                    "\" in known_hosts: connect to it with ssh once, or add its key"));
    return hop;
}

}  // namespace

Result<DestinationSpec> parse_destination(std::string_view text)
{
    const std::string quoted = "invalid destination \"" + std::string(text) + "\": ";
    DestinationSpec spec;
    std::string_view to = text;
    if (auto arrow = text.find('>'); arrow != std::string_view::npos) {
        std::string_view from = text.substr(0, arrow);
        to = text.substr(arrow + 1);
        if (to.find('>') != std::string_view::npos)
            return fail(Error(ErrorCode::malformed, quoted + "more than one '>'"));
        if (from.find('@') != std::string_view::npos)
            return fail(Error(ErrorCode::malformed, quoted + "cannot specify a user on the 'from' host"));
        spec.from_host = clean_host(from);
        if (spec.from_host.empty())
            return fail(Error(ErrorCode::malformed, quoted + "empty 'from' host"));
    }
    if (auto at = to.rfind('@'); at != std::string_view::npos) {
        spec.to_user = std::string(to.substr(0, at));
        to = to.substr(at + 1);
    }
    spec.to_host = clean_host(to);
    if (spec.to_host.empty())
        return fail(Error(ErrorCode::malformed, quoted + "empty host"));
    return spec;
}

Result<protocol::DestinationConstraint> destination_constraint(const DestinationSpec& spec,
                                                               const KnownHosts& known_hosts)
{
    protocol::DestinationConstraint constraint;
    if (!spec.from_host.empty()) {
        LATCHKEY_TRY(constraint.from, hop_for("", spec.from_host, known_hosts));
    }
    LATCHKEY_TRY(constraint.to, hop_for(spec.to_user, spec.to_host, known_hosts));
    return constraint;
}

Result<protocol::RestrictDestinationConstraint> restrict_destinations(const std::vector<std::string>& arguments,
                                                                      const std::vector<std::string>& known_hosts_files)
{
    KnownHosts known_hosts;
    for (const std::string& file : known_hosts_files) {
        KnownHosts parsed = parse_known_hosts(read_known_hosts_file(file));
        for (KnownHostEntry& entry : parsed.entries)
            known_hosts.entries.push_back(std::move(entry));
    }
    protocol::RestrictDestinationConstraint restrict;
    for (const std::string& argument : arguments) {
        LATCHKEY_TRY(DestinationSpec spec, parse_destination(argument));
        LATCHKEY_TRY(protocol::DestinationConstraint constraint, destination_constraint(spec, known_hosts));
        restrict.constraints.push_back(std::move(constraint));
    }
    return restrict;
}

}  // namespace latchkey::agent
