"""The fingerprints EC2 reports for an imported key pair, computed from the configured public key.

EC2 (DescribeKeyPairs ``KeyFingerprint``, per the EC2 user guide "Verify the fingerprint"): an imported
RSA key shows the MD5 of its DER-encoded SubjectPublicKeyInfo as colon-separated hex; an ED25519 key
shows the base64 SHA-256 of the OpenSSH key blob (what ``ssh-keygen -l`` prints after ``SHA256:``).
A key pair that EC2 generated shows a SHA-1 of the private key instead, which no public key can match.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

SHA1_HEX_LENGTH = 59  # 20 bytes as colon-separated hex


def _colon_hex(digest: bytes) -> str:
    return ":".join(f"{b:02x}" for b in digest)


def ec2_fingerprint(public_key: str) -> str:
    """The ``KeyFingerprint`` EC2 shows after importing ``public_key`` (an OpenSSH line)."""
    key = serialization.load_ssh_public_key(public_key.strip().encode())
    if isinstance(key, rsa.RSAPublicKey):
        der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return _colon_hex(hashlib.md5(der, usedforsecurity=False).digest())
    if isinstance(key, ed25519.Ed25519PublicKey):
        blob = base64.b64decode(public_key.split()[1])
        return base64.b64encode(hashlib.sha256(blob).digest()).decode()
    raise ValueError("EC2 imports only ssh-rsa and ssh-ed25519 keys")


def same_fingerprint(reported: str, computed: str) -> bool:
    """EC2 pads the base64 form with ``=``; OpenSSH does not. Hex compares case-insensitively."""
    return reported.strip().rstrip("=").lower() == computed.strip().rstrip("=").lower()


def generated_by_ec2(reported: str) -> bool:
    return len(reported.strip()) == SHA1_HEX_LENGTH
