"""The gateway as a thin edge: it forwards the command bodies unread (their owners validate
them, and a 422 comes back unchanged), and its OpenAPI still documents every body, with the
same schemas the owners validate with (services/common/commands.py)."""
from __future__ import annotations

import json
from types import SimpleNamespace

import httpx
import pytest
from fastapi.testclient import TestClient

from services.common import commands
from services.gateway.app import create_app
from services.gateway.upstream import Upstream

# The operations whose request body the gateway's OpenAPI documented before the bodies were
# forwarded unread (computed from the code of main before the change), with their media types.
DOCUMENTED_BODIES = {
    ("POST", "/api/v1/activities"): "application/json",
    ("POST", "/api/v1/activities/import"): "multipart/form-data",
    ("POST", "/api/v1/attachments"): "multipart/form-data",
    ("POST", "/api/v1/auth/token"): "application/x-www-form-urlencoded",
    ("POST", "/api/v1/cameras/import"): "multipart/form-data",
    ("POST", "/api/v1/cases"): "application/json",
    ("POST", "/api/v1/cases/{case_id}/status"): "application/json",
    ("POST", "/api/v1/cases/{case_id}/tips"): "application/json",
    ("POST", "/api/v1/extractions/{extraction_id}/files"): "multipart/form-data",
    ("POST", "/api/v1/programmes"): "application/json",
    ("POST", "/api/v1/receipts/{receipt_code}/messages"): "application/json",
    ("POST", "/api/v1/tips"): "application/json",
    ("POST", "/api/v1/tips/import"): "multipart/form-data",
    ("POST", "/api/v1/tips/{tip_id}/decision"): "application/json",
    ("POST", "/api/v1/tips/{tip_id}/legal"): "application/json",
    ("POST", "/api/v1/tips/{tip_id}/replies"): "application/json",
    ("POST", "/api/v1/users"): "application/json",
}
FORWARDED = {  # the bodies the owners validate, and their models
    ("POST", "/api/v1/tips"): commands.TipSubmission,
    ("POST", "/api/v1/tips/{tip_id}/decision"): commands.Decision,
    ("POST", "/api/v1/tips/{tip_id}/replies"): commands.FollowUpMessage,
    ("POST", "/api/v1/receipts/{receipt_code}/messages"): commands.FollowUpMessage,
    ("POST", "/api/v1/programmes"): commands.ProgrammeIn,
    ("POST", "/api/v1/cases"): commands.NewCase,
    ("POST", "/api/v1/cases/{case_id}/tips"): commands.LinkTips,
    ("POST", "/api/v1/cases/{case_id}/status"): commands.CaseStatusChange,
    ("POST", "/api/v1/tips/{tip_id}/legal"): commands.LegalStep,
}


@pytest.fixture(scope="module")
def spec() -> dict:
    return create_app().openapi()


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        *_, name = schema["$ref"].split("/")
        schema = spec["components"]["schemas"][name]
    return schema


def test_every_body_documented_before_is_documented_still(spec):
    documented = {(method.upper(), path): list(op["requestBody"]["content"])
                  for path, ops in spec["paths"].items() for method, op in ops.items() if "requestBody" in op}
    assert documented == {key: [media] for key, media in DOCUMENTED_BODIES.items()}
    for (method, path), media in DOCUMENTED_BODIES.items():
        body = spec["paths"][path][method.lower()]["requestBody"]
        assert body["required"] is True, (method, path)
        assert _resolve(spec, body["content"][media]["schema"]).get("properties"), (method, path)


@pytest.mark.parametrize("operation", sorted(FORWARDED), ids=" ".join)
def test_a_forwarded_body_is_documented_with_its_owners_model(spec, operation):
    method, path = operation
    model = FORWARDED[operation]
    body = spec["paths"][path][method.lower()]["requestBody"]
    schema = _resolve(spec, body["content"]["application/json"]["schema"])
    assert schema["title"] == model.__name__
    assert set(schema["properties"]) == set(model.model_fields)
    assert set(schema.get("required", ())) == {n for n, f in model.model_fields.items() if f.is_required()}


def test_every_reference_in_the_openapi_resolves(spec):
    text = json.dumps(spec)
    refs = {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}
    assert refs and refs <= set(spec["components"]["schemas"]), refs - set(spec["components"]["schemas"])


@pytest.mark.parametrize("path, service, body", [
    ("/api/v1/tips", "intake", b'{"channel": "fax", "content": ""'),                  # not even JSON
    ("/api/v1/tips/T-1/decision", "verification", b'{"outcome": "maybe", "x": 1}'),
    ("/api/v1/cases", "verification", b"{}"),
    ("/api/v1/programmes", "intake", b'{"code": "x"}'),
    ("/api/v1/receipts/ABCD-1234/messages", "intake", b""),
])
def test_the_body_goes_to_its_owner_as_sent_and_its_answer_comes_back_unchanged(path, service, body):
    """No validation at the gateway: even a body its model refuses reaches the owner, byte for
    byte, and the owner's 422 (here a stand-in's) is the client's answer."""
    seen: list[httpx.Request] = []
    answer = {"error": {"code": "invalid_input", "message": "the owner's words",
                        "fields": [{"field": "f", "reason": "r"}]}}

    def owner(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(422, json=answer)

    app = create_app()
    app.state.service = SimpleNamespace(upstreams={
        name: Upstream([f"http://{name}"], 5, transport=httpx.MockTransport(owner))
        for name in ("intake", "verification", "extraction")})
    response = TestClient(app).post(path, content=body, headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (422, answer)
    assert [(r.url.host, r.url.path, r.content) for r in seen] == [(service, path, body)]
