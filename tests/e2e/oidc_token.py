#!/usr/bin/python3
"""oidc_token.py - an identity provider for the tests, with keys made here.

  oidc_token.py keygen DIR
      DIR/rsa.pem (RSA 2048), DIR/ec.pem (P-256), DIR/other.pem (an RSA key
      the provider does not publish) and DIR/jwks.json publishing the first
      two as kids "rsa1" and "ec1".
  oidc_token.py token DIR KEY CLAIMS-JSON [ALG] [KID]
      A signed compact JWS: KEY is rsa, ec or other; ALG defaults to RS256
      for RSA keys and ES256 for ec ("none" makes an unsigned token); KID
      defaults to KEY's own ("rsa1", "ec1", "other1").
"""
import base64
import json
import os
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def uint(n, size=None):
    size = size or (n.bit_length() + 7) // 8
    return b64u(n.to_bytes(size, "big"))


def keygen(d):
    os.makedirs(d, exist_ok=True)
    keys = {
        "rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ec": ec.generate_private_key(ec.SECP256R1()),
        "other": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }
    for name, k in keys.items():
        with open(os.path.join(d, name + ".pem"), "wb") as f:
            f.write(k.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    rn = keys["rsa"].public_key().public_numbers()
    en = keys["ec"].public_key().public_numbers()
    jwks = {"keys": [
        {"kty": "RSA", "kid": "rsa1", "use": "sig", "alg": "RS256",
         "n": uint(rn.n), "e": uint(rn.e)},
        {"kty": "EC", "kid": "ec1", "use": "sig", "alg": "ES256", "crv": "P-256",
         "x": uint(en.x, 32), "y": uint(en.y, 32)},
    ]}
    with open(os.path.join(d, "jwks.json"), "w") as f:
        json.dump(jwks, f)


def token(d, key, claims, alg=None, kid=None):
    with open(os.path.join(d, key + ".pem"), "rb") as f:
        k = serialization.load_pem_private_key(f.read(), password=None)
    is_ec = isinstance(k, ec.EllipticCurvePrivateKey)
    alg = alg or ("ES256" if is_ec else "RS256")
    header = {"alg": alg, "typ": "JWT", "kid": kid or key + "1"}
    signing_input = (b64u(json.dumps(header).encode()) + "." +
                     b64u(json.dumps(json.loads(claims)).encode())).encode()
    if alg == "none":
        return signing_input.decode() + "."
    if is_ec:
        r, s = decode_dss_signature(k.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        sig = k.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return signing_input.decode() + "." + b64u(sig)


if __name__ == "__main__":
    if sys.argv[1] == "keygen":
        keygen(sys.argv[2])
    else:
        print(token(*sys.argv[2:]))
