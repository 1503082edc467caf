// Destination-constraint matching, ported in shape from OpenSSH's ssh-agent (not in code).
#include "agent/destination.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "agent/host_pattern.hpp"

namespace latchkey::agent {

namespace {

using protocol::DestinationConstraint;
using protocol::DestinationHop;
using protocol::PublicKey;

Error refused(std::string why)
{
    return Error(ErrorCode::refused, std::move(why));
}

// OpenSSH's SSH_ALLOWED_CA_SIGALGS (myproposal.h): the algorithms a CA may have signed a host
// certificate with — not ssh-rsa (SHA-1) and not ssh-dss.
constexpr std::array<std::string_view, 8> allowed_ca_signature_algorithms = {
    "ssh-ed25519",  "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com", "rsa-sha2-512", "rsa-sha2-256"};

// sshkey_check_cert_sigtype: the CA signature blob starts with an allowed algorithm name.
bool ca_signature_algorithm_allowed(const protocol::Certificate& certificate)
{
    protocol::WireReader reader(certificate.signature);
    auto algorithm = reader.read_text();
    return algorithm && std::find(allowed_ca_signature_algorithms.begin(), allowed_ca_signature_algorithms.end(),
                                  *algorithm) != allowed_ca_signature_algorithms.end();
}

// sshkey_cert_check_host with wildcard principals: a host certificate, valid now, with no critical
// options, signed with an allowed algorithm, whose principals (if any) match the hop's hostname
// ("(ORIGIN)" when it has none).
bool host_certificate_valid_for(const protocol::Certificate& certificate, const std::string& hostname,
                                std::uint64_t unix_now)
{
    if (certificate.type != protocol::certificate_type_host || !certificate.critical_options.empty() ||
        !ca_signature_algorithm_allowed(certificate))
        return false;
    if (unix_now < certificate.valid_after || unix_now >= certificate.valid_before)
        return false;
    const std::string name = hostname.empty() ? "(ORIGIN)" : hostname;
    return certificate.principals.empty() ||
           std::any_of(certificate.principals.begin(), certificate.principals.end(),
                       [&](const std::string& principal) { return match_pattern(name, principal); });
}

// match_key_hop: a plain key equals a listed non-CA key, or a certificate is signed by a listed CA.
bool key_matches_hop(const PublicKey& key, const DestinationHop& hop, std::uint64_t unix_now)
{
    const auto* certificate = std::get_if<protocol::Certificate>(&key);
    for (const auto& spec : hop.keys) {
        if (certificate == nullptr) {
            if (!spec.is_ca && spec.key == key)
                return true;
            continue;
        }
        if (spec.is_ca && protocol::encode_public_key(spec.key) == certificate->signature_key &&
            host_certificate_valid_for(*certificate, hop.hostname, unix_now))
            return true;
    }
    return false;
}

// permitted_by_dest_constraints: some constraint allows the hop from → to (to absent: any
// destination beyond `from`) for `user` (absent: any user).
bool hop_permitted(const std::vector<DestinationConstraint>& constraints, const PublicKey* from,
                   const PublicKey* to, const std::optional<std::string>& user, std::uint64_t unix_now)
{
    return std::any_of(constraints.begin(), constraints.end(), [&](const DestinationConstraint& constraint) {
        if (from == nullptr ? (!constraint.from.hostname.empty() || !constraint.from.keys.empty())
                            : !key_matches_hop(*from, constraint.from, unix_now))
            return false;
        if (to != nullptr && !key_matches_hop(*to, constraint.to, unix_now))
            return false;
        return constraint.to.user.empty() || !user || match_pattern(*user, constraint.to.user);
    });
}

}  // namespace

Result<void> destination_permitted(const std::vector<DestinationConstraint>& constraints, const BindState& state,
                                   const std::optional<std::string>& user, std::uint64_t unix_now)
{
    if (constraints.empty())
        return {};
    if (state.binds.empty())
        return state.attempted ? fail(refused("a previous session bind failed on this connection")) : Result<void>();
    const PublicKey* from = nullptr;
    for (std::size_t i = 0; i < state.binds.size(); ++i) {
        const SessionBinding& bind = state.binds[i];
        const bool last = i + 1 == state.binds.size();
        if (last && bind.is_forwarding && user)
            return fail(refused("tried to sign on a forwarding hop"));
        if (!last && !bind.is_forwarding)
            return fail(refused("tried to forward through an authentication bind"));
        if (!hop_permitted(constraints, from, &bind.host_key, last ? user : std::nullopt, unix_now))
            return fail(refused("the key is not permitted for hop " + std::to_string(i + 1) + " of this connection"));
        from = &bind.host_key;
    }
    // A key usable at the last (forwarding) host but not beyond it is hidden from that host.
    if (state.binds.back().is_forwarding && !user && !hop_permitted(constraints, from, nullptr, std::nullopt, unix_now))
        return fail(refused("the key is permitted at the forwarding host but not beyond it"));
    return {};
}

Result<void> check_constrained_sign(const std::vector<DestinationConstraint>& constraints, const BindState& state,
                                    const PublicKey& key, protocol::ByteView data, std::uint64_t unix_now)
{
    if (state.binds.empty())
        return fail(refused("a destination-constrained key signs only on a connection bound to a host"));
    auto request = protocol::parse_userauth_request(data);
    if (!request || !(request->key == key) || !protocol::algorithm_matches_key(request->algorithm, key))
        return fail(refused("a destination-constrained key signs only userauth requests for itself"));
    LATCHKEY_CHECK(destination_permitted(constraints, state, request->user, unix_now));
    const SessionBinding& last = state.binds.back();
    if (request->session_id != last.session_id)
        return fail(refused("the userauth request is not for the last bound session"));
    if (state.binds.size() > 1 && !request->host_key)
        return fail(refused("a forwarded userauth request carries no host key"));
    if (request->host_key && !(*request->host_key == last.host_key))
        return fail(refused("the userauth request's host key is not the last bound host key"));
    return {};
}

}  // namespace latchkey::agent
