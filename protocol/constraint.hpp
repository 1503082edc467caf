// Key constraints carried by ADD_ID_CONSTRAINED and ADD_SMARTCARD_KEY_CONSTRAINED (RFC 9987 "Key Constraints",
// OpenSSH PROTOCOL.agent), with the structural checks OpenSSH's ssh-agent applies when parsing them.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "protocol/key_blob.hpp"
#include "protocol/wire.hpp"

namespace latchkey::protocol {

// Most destination constraints or associated certificates accepted on one key (as OpenSSH).
inline constexpr std::size_t max_destination_constraints = 1024;
inline constexpr std::size_t max_associated_certificates = 1024;

// 1 LIFETIME: the key is removed this many seconds after it was added.
struct LifetimeConstraint {
    std::uint32_t seconds = 0;
    bool operator==(const LifetimeConstraint&) const = default;
};

// 2 CONFIRM: every use of the key is confirmed by the user.
struct ConfirmConstraint {
    bool operator==(const ConfirmConstraint&) const = default;
};

// 3 MAXSIGN: at most this many signatures (OpenSSH XMSS keys; removed in OpenSSH 10.1).
struct MaxSignConstraint {
    std::uint32_t signatures = 0;
    bool operator==(const MaxSignConstraint&) const = default;
};

// A host key a hop may present; is_ca marks a certificate authority for host certificates.
struct HostKeySpec {
    PublicKey key;
    bool is_ca = false;
    bool operator==(const HostKeySpec&) const = default;
};

// One end of a hop. An empty user or hostname means "none" (OpenSSH's NULL). The wire's reserved
// field must be empty, so it is not kept.
struct DestinationHop {
    std::string user;
    std::string hostname;
    std::vector<HostKeySpec> keys;
    bool operator==(const DestinationHop&) const = default;
};

// One allowed hop from → to. from has no user, and a hostname exactly when it has keys
// (an empty from means "the origin"); to has a hostname and at least one key.
struct DestinationConstraint {
    DestinationHop from;
    DestinationHop to;
    bool operator==(const DestinationConstraint&) const = default;
};

// 255 "restrict-destination-v00@openssh.com": the key may only be used along these hops.
struct RestrictDestinationConstraint {
    std::vector<DestinationConstraint> constraints;
    bool operator==(const RestrictDestinationConstraint&) const = default;
};

// 255 "sk-provider@openssh.com": the middleware library for an sk-* key (ADD_ID_CONSTRAINED only).
struct SkProviderConstraint {
    std::string path;
    bool operator==(const SkProviderConstraint&) const = default;
};

// 255 "associated-certs-v00@openssh.com" (ADD_SMARTCARD_KEY_CONSTRAINED only): certificates to
// load alongside the token's keys; certs_only hides the plain keys.
struct AssociatedCertsConstraint {
    bool certs_only = false;
    std::vector<PublicKey> certs;
    bool operator==(const AssociatedCertsConstraint&) const = default;
};

using Constraint = std::variant<LifetimeConstraint, ConfirmConstraint, MaxSignConstraint,
                                RestrictDestinationConstraint, SkProviderConstraint,
                                AssociatedCertsConstraint>;

// Which message the constraints belong to: each allows a different set, as in OpenSSH.
enum class ConstraintContext {
    add_identity,       // 17/25: no associated-certs
    add_smartcard_key,  // 20/26: no maxsign, no sk-provider
};

// Reads constraints until the reader is at its end.
// Fails with unknown_constraint (unknown type byte or extension name), invalid_value (a constraint
// given twice, one not allowed in this context, a non-empty reserved field, an inconsistent hop),
// too_many_items (over the 1024 limits), or any public key decoding error; truncated when a
// constraint runs past the end.
Result<std::vector<Constraint>> read_constraints(WireReader& reader, ConstraintContext context);

// Writes constraints in the order given, in the encoding read_constraints reads.
template <class Buffer>
void write_constraints(BasicWireWriter<Buffer>& writer, const std::vector<Constraint>& constraints);

extern template void write_constraints(WireWriter&, const std::vector<Constraint>&);
extern template void write_constraints(SecretWireWriter&, const std::vector<Constraint>&);

}  // namespace latchkey::protocol
