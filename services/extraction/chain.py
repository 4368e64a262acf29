"""Pure logic of evidence integrity, shared by the service and the offline verifier: the custody
chain (each entry carries the SHA-256 of the previous one) and the signed manifest. No I/O."""
from __future__ import annotations

import base64
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

GENESIS = "0" * 64
ACTIONS = ("created", "file_added", "viewed", "transferred", "exported", "disposed")


def canonical(doc: object) -> bytes:
    """The bytes that are hashed and signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "sha256"})).hexdigest()


def next_entry(chain: list[dict], *, action: str, at: str, actor: dict, details: dict) -> dict:
    """The entry that follows `chain` (times are strings, so the hash never depends on storage)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown custody action {action!r}")
    entry = {"seq": len(chain) + 1, "action": action, "at": at, "actor": actor, "details": details,
             "prev_sha256": chain[-1]["sha256"] if chain else GENESIS}
    return {**entry, "sha256": entry_hash(entry)}


def chain_problems(chain: list[dict]) -> list[str]:
    """Every way the chain is broken, in order; empty if it holds."""
    problems = []
    previous = GENESIS
    for i, entry in enumerate(chain, start=1):
        label = f"custody entry {i}"
        if entry.get("seq") != i:
            problems.append(f"{label}: seq is {entry.get('seq')!r}, expected {i}")
        if entry.get("prev_sha256") != previous:
            problems.append(f"{label}: prev_sha256 does not match the sha256 of entry {i - 1}")
        actual = entry_hash(entry)
        if entry.get("sha256") != actual:
            problems.append(f"{label} ({entry.get('action')}): content does not match its sha256 "
                            f"(recorded {entry.get('sha256')}, computed {actual})")
        previous = entry.get("sha256")
    if chain and chain[0].get("action") != "created":
        problems.append("custody entry 1: the chain does not start with 'created'")
    return problems


def files_of(chain: list[dict]) -> list[dict]:
    """The files the chain registered, in order."""
    return [e["details"]["file"] for e in chain if e.get("action") == "file_added"]


def private_key(seed_b64: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed_b64))


def public_key_b64(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.public_key().public_bytes_raw()).decode()


def sign(body: dict, key: Ed25519PrivateKey) -> dict:
    """The manifest: `body` plus an Ed25519 signature over its canonical bytes."""
    return {**body, "signature": {"alg": "Ed25519", "public_key": public_key_b64(key),
                                  "value": base64.b64encode(key.sign(canonical(body))).decode()}}


def signature_problems(manifest: dict, trusted_public_key_b64: str | None) -> list[str]:
    """Whether the signature holds (against the trusted key if given, else the manifest's own)."""
    sig = manifest.get("signature")
    if not isinstance(sig, dict) or sig.get("alg") != "Ed25519":
        return ["signature: missing or not Ed25519"]
    problems = []
    key_b64 = trusted_public_key_b64 or sig.get("public_key", "")
    if trusted_public_key_b64 and sig.get("public_key") != trusted_public_key_b64:
        problems.append("signature: the manifest names a different public key than the trusted one")
    body = {k: v for k, v in manifest.items() if k != "signature"}
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(key_b64)).verify(
            base64.b64decode(sig.get("value", "")), canonical(body))
    except (InvalidSignature, ValueError):
        problems.append("signature: does not match the manifest's content")
    return problems


def manifest_problems(manifest: dict, trusted_public_key_b64: str | None = None) -> list[str]:
    """Signature, chain, and agreement of the listed files with the chain's file entries."""
    problems = signature_problems(manifest, trusted_public_key_b64)
    chain = manifest.get("custody", [])
    problems += chain_problems(chain)
    try:
        registered = files_of(chain)
    except (KeyError, TypeError):
        return problems + ["custody: a file_added entry has no file"]
    if registered != manifest.get("files"):
        problems.append("files: the list differs from the files registered in the custody chain")
    return problems
