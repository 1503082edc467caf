// unique_ptr aliases that free (and, for secrets, wipe) the OpenSSL objects agent/keys uses.
#pragma once

#include <openssl/bn.h>
#include <openssl/dsa.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <memory>

namespace latchkey::agent {

// Calls the OpenSSL free function Free on the pointer it owns.
template <auto Free>
struct OpensslDeleter {
    template <class T>
    void operator()(T* pointer) const noexcept
    {
        Free(pointer);
    }
};

using EvpPkey = std::unique_ptr<EVP_PKEY, OpensslDeleter<EVP_PKEY_free>>;
using EvpPkeyCtx = std::unique_ptr<EVP_PKEY_CTX, OpensslDeleter<EVP_PKEY_CTX_free>>;
using EvpMdCtx = std::unique_ptr<EVP_MD_CTX, OpensslDeleter<EVP_MD_CTX_free>>;
using Bignum = std::unique_ptr<BIGNUM, OpensslDeleter<BN_clear_free>>;  // wiped on free: may hold a secret
using BnCtx = std::unique_ptr<BN_CTX, OpensslDeleter<BN_CTX_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, OpensslDeleter<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, OpensslDeleter<OSSL_PARAM_free>>;  // wipes its secure part
using EcdsaSig = std::unique_ptr<ECDSA_SIG, OpensslDeleter<ECDSA_SIG_free>>;
using DsaSig = std::unique_ptr<DSA_SIG, OpensslDeleter<DSA_SIG_free>>;

}  // namespace latchkey::agent
