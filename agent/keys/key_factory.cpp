// Dispatches each (public key, secret) pair to the algorithm that builds it.
#include "agent/keys/key_factory.hpp"

#include "agent/keys/dsa.hpp"
#include "agent/keys/ecdsa.hpp"
#include "agent/keys/ed25519.hpp"
#include "agent/keys/rsa.hpp"

namespace latchkey::agent {

namespace {

using SignerResult = Result<std::unique_ptr<SigningKey>>;

struct SignerMaker {
    SignerResult operator()(const protocol::Ed25519PublicKey& pub, const protocol::Ed25519Secret& secret) const
    {
        return make_ed25519_key(pub.point, secret.seed_and_public);
    }
    SignerResult operator()(const protocol::EcdsaPublicKey& pub, const protocol::EcdsaSecret& secret) const
    {
        return make_ecdsa_key(protocol::curve_name(pub.curve), pub.point, secret.scalar);
    }
    SignerResult operator()(const protocol::RsaPublicKey& pub, const protocol::RsaSecret& secret) const
    {
        return make_rsa_key(pub.n, pub.e, secret.d, secret.iqmp, secret.p, secret.q);
    }
    SignerResult operator()(const protocol::DsaPublicKey& pub, const protocol::DsaSecret& secret) const
    {
        return make_dsa_key(pub.p, pub.q, pub.g, pub.y, secret.x);
    }
    SignerResult operator()(const protocol::SkEd25519PublicKey&, const protocol::SecurityKeySecret&) const
    {
        return security_key_unsupported();
    }
    SignerResult operator()(const protocol::SkEcdsaPublicKey&, const protocol::SecurityKeySecret&) const
    {
        return security_key_unsupported();
    }
    // Any other pairing cannot come out of read_private_key; refuse it rather than trust that.
    template <class Public, class Secret>
    SignerResult operator()(const Public&, const Secret&) const
    {
        return fail(Error(ErrorCode::malformed, "private key parts do not fit the key type"));
    }

    static SignerResult security_key_unsupported()
    {
        return fail(Error(ErrorCode::unsupported, "FIDO security keys (sk-*) are not supported yet"));
    }
};

}  // namespace

Result<std::unique_ptr<SigningKey>> make_signing_key(const protocol::PrivateKey& key)
{
    return std::visit(SignerMaker{}, protocol::underlying_key(key.public_key), key.secret);
}

}  // namespace latchkey::agent
