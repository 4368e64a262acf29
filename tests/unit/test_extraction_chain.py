"""Custody chain, signed manifest and the offline verifier: any one changed byte is found."""
import base64
import copy
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.extraction import chain, verify
from services.extraction.settings import DEV_MANIFEST_KEY, ExtractionSettings

ACTOR = {"username": "op", "role": "camera_operator", "unit_code": "14797"}


def build_chain(files):
    entries = [chain.next_entry([], action="created", at="2026-03-12T04:00:00Z", actor=ACTOR,
                                details={"extraction_id": "X-1", "camera_id": "CAM-1"})]
    for f in files:
        entries.append(chain.next_entry(entries, action="file_added", at="2026-03-12T04:01:00Z",
                                        actor=ACTOR, details={"file": f}))
    for person in ("Trung úy A", "Đại úy B"):
        entries.append(chain.next_entry(entries, action="transferred", at="2026-03-12T05:00:00Z",
                                        actor=ACTOR, details={"to_person": person}))
    return entries


@pytest.fixture
def signed(tmp_path):
    contents = {"cam1.mp4": b"\x00\x01footage" * 1000, "cam1-b.mp4": b"more footage"}
    files = []
    for name, data in contents.items():
        (tmp_path / name).write_bytes(data)
        files.append({"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "stored": True})
    entries = build_chain(files)
    key = chain.private_key(DEV_MANIFEST_KEY)
    manifest = chain.sign({"manifest_version": 1, "extraction": {"extraction_id": "X-1"}, "files": files,
                           "custody": entries, "issued_at": "2026-03-13T00:00:00Z"}, key)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False))
    return path, [tmp_path / n for n in contents], chain.public_key_b64(key)


def run(capsys, path, files, *extra):
    code = verify.main([str(path), *map(str, files), *extra])
    return code, capsys.readouterr().out


def test_each_entry_links_to_the_previous_one():
    entries = build_chain([])
    assert entries[0]["prev_sha256"] == chain.GENESIS
    assert [e["prev_sha256"] for e in entries[1:]] == [e["sha256"] for e in entries[:-1]]
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert chain.chain_problems(entries) == []


def test_an_untouched_manifest_and_files_pass(signed, capsys):
    path, files, public = signed
    code, out = run(capsys, path, files, "--public-key", public)
    assert code == 0 and out.startswith("OK"), out


def test_one_changed_byte_of_a_file_is_named(signed, capsys):
    path, files, public = signed
    data = bytearray(files[0].read_bytes())
    data[5] ^= 1
    files[0].write_bytes(bytes(data))
    listed = json.loads(path.read_text())["files"][0]["sha256"]
    code, out = run(capsys, path, files, "--public-key", public)
    assert code == 1
    assert out.splitlines() == [f"MISMATCH file cam1.mp4: sha256 is {hashlib.sha256(data).hexdigest()}, "
                                f"the manifest says {listed}"]


def test_a_changed_chain_entry_is_named_even_when_re_signed(signed, capsys):
    path, files, public = signed
    manifest = json.loads(path.read_text())
    manifest["custody"][3]["details"]["to_person"] = "Người khác"
    path.write_text(json.dumps(manifest))
    code, out = run(capsys, path, files, "--public-key", public)
    assert code == 1
    assert "MISMATCH signature: does not match the manifest's content" in out
    assert "custody entry 4 (transferred): content does not match its sha256" in out
    body = {k: v for k, v in manifest.items() if k != "signature"}
    resigned = chain.sign(body, chain.private_key(DEV_MANIFEST_KEY))
    assert chain.manifest_problems(resigned)[0].startswith("custody entry 4 (transferred)")


def test_a_changed_signature_byte_is_refused(signed, capsys):
    path, files, public = signed
    manifest = json.loads(path.read_text())
    raw = bytearray(base64.b64decode(manifest["signature"]["value"]))
    raw[0] ^= 1
    manifest["signature"]["value"] = base64.b64encode(bytes(raw)).decode()
    path.write_text(json.dumps(manifest))
    code, out = run(capsys, path, files, "--public-key", public)
    assert (code, out.strip()) == (1, "MISMATCH signature: does not match the manifest's content")


def test_a_manifest_signed_by_another_key_fails_against_the_trusted_key(signed, capsys):
    path, files, public = signed
    manifest = json.loads(path.read_text())
    body = {k: v for k, v in manifest.items() if k != "signature"}
    path.write_text(json.dumps(chain.sign(body, Ed25519PrivateKey.generate())))
    code, out = run(capsys, path, files, "--public-key", public)
    assert code == 1 and "different public key" in out


def test_a_removed_entry_and_an_unlisted_file_are_named(signed, capsys, tmp_path):
    path, files, _ = signed
    manifest = json.loads(path.read_text())
    tampered = copy.deepcopy(manifest)
    del tampered["custody"][1]
    problems = chain.manifest_problems(tampered)
    assert "custody entry 2: prev_sha256 does not match the sha256 of entry 1" in problems
    assert "files: the list differs from the files registered in the custody chain" in problems
    stranger = tmp_path / "other.mp4"
    stranger.write_bytes(b"x")
    code, out = run(capsys, path, [stranger])
    assert code == 1 and "file other.mp4: not listed in the manifest" in out


def test_production_refuses_the_development_manifest_key():
    with pytest.raises(ValueError, match="ANTT_MANIFEST_KEY"):
        ExtractionSettings(ANTT_ENV="production", ANTT_JWT_SECRET="x" * 40,
                           ANTT_DATA_KEY="ZmFrZS1rZXktZm9yLXRlc3RzLW9ubHktMzItYnl0ZXM=")
    real = base64.b64encode(b"k" * 32).decode()
    assert ExtractionSettings(ANTT_ENV="production", ANTT_JWT_SECRET="x" * 40, ANTT_MANIFEST_KEY=real,
                              ANTT_DATA_KEY="ZmFrZS1rZXktZm9yLXRlc3RzLW9ubHktMzItYnl0ZXM=").manifest_key == real
