"""EC2's fingerprints of imported keys: RSA as MD5 of the DER public key, ED25519 as base64 SHA-256."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from ops.checks.fingerprints import ec2_fingerprint, generated_by_ec2, same_fingerprint


def test_rsa_is_md5_of_the_der_public_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    expected = ":".join(f"{b:02x}" for b in hashlib.md5(der, usedforsecurity=False).digest())
    assert ec2_fingerprint(line + " me@laptop") == expected
    assert len(expected) == 47 and not generated_by_ec2(expected)


def test_ed25519_is_base64_sha256_of_the_openssh_blob() -> None:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    blob = base64.b64decode(line.split()[1])
    expected = base64.b64encode(hashlib.sha256(blob).digest()).decode()
    assert ec2_fingerprint(line) == expected and expected.endswith("=")
    assert same_fingerprint(expected, expected.rstrip("="))


def test_ecdsa_is_refused() -> None:
    line = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg="  # noqa: E501
    with pytest.raises(ValueError):
        ec2_fingerprint(line)


def test_an_ec2_generated_key_is_recognised_by_its_sha1_length() -> None:
    assert generated_by_ec2(":".join(["ab"] * 20))


@pytest.mark.parametrize(
    ("reported", "computed", "same"),
    [
        ("AbC=", "abc", True),
        ("abc", "AbC==", True),
        (" abc= ", "abc", True),
        ("=abc", "abc", False),
        ("abc", "=abc", False),
        ("ab:cd", "AB:CD", True),
        ("ab:cd", "ab:ce", False),
        ("abX=", "ab", False),
        ("ab", "abX=", False),
    ],
)
def test_fingerprints_compare_without_padding_or_case_on_either_side(reported: str, computed: str, same: bool) -> None:
    assert same_fingerprint(reported, computed) is same


def test_an_unsupported_key_type_is_refused_with_what_ec2_imports() -> None:
    line = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg="  # noqa: E501
    with pytest.raises(ValueError, match=r"^EC2 imports only ssh-rsa and ssh-ed25519 keys$"):
        ec2_fingerprint(line)


@pytest.mark.parametrize(("length", "generated"), [(58, False), (59, True), (60, False), (47, False)])
def test_only_a_sha1_length_fingerprint_is_ec2_generated(length: int, generated: bool) -> None:
    assert generated_by_ec2(("ab:" * 20)[:length]) is generated
    assert generated_by_ec2(" " + ("ab:" * 20)[:length] + " ") is generated
