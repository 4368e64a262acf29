"""The JSON bodies of the commands the gateway forwards, in its OpenAPI only. The gateway does not
read them: it forwards their bytes (forward.py), the owning service validates them with the
same models (services/common/commands.py), and its answer, a 422 naming every bad field
included, goes back to the client unchanged. So a body is checked once, by its owner.

A route declares its body with `openapi_extra=json_body(Model)`; `document(app)` adds the
models' JSON Schemas to the OpenAPI components, as FastAPI does for a body it parses."""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.models import OpenAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from services.common import commands

REF_TEMPLATE = "#/components/schemas/{model}"
FORWARDED: tuple[type[BaseModel], ...] = (
    commands.TipSubmission, commands.FollowUpMessage, commands.ProgrammeIn, commands.Decision,
    commands.NewCase, commands.LinkTips, commands.CaseStatusChange, commands.LegalStep)


def json_body(model: type[BaseModel]) -> dict:
    """A route's `openapi_extra`: its required JSON body is a `model`."""
    if model not in FORWARDED:
        raise ValueError(f"{model.__name__} is not in bodies.FORWARDED, so its schema would be missing")
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": REF_TEMPLATE.format(model=model.__name__)}}}}}


def schemas() -> dict[str, dict]:
    """The forwarded models' JSON Schemas and those of the models they hold, by name."""
    _, top = models_json_schema([(model, "validation") for model in FORWARDED], ref_template=REF_TEMPLATE)
    found = top.get("$defs", {})
    missing = [model.__name__ for model in FORWARDED if model.__name__ not in found]
    if missing:  # a name taken twice gets a longer one, and json_body's $ref would miss it
        raise ValueError(f"no schema named {', '.join(missing)}")
    return found


def document(app: FastAPI) -> None:
    """The app's `/openapi.json` with the forwarded bodies' schemas among its components, put
    through FastAPI's OpenAPI model as its own are (no `default: null`, bounds as numbers)."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            spec = build()
            known = spec.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in schemas().items():
                if known.setdefault(name, schema) != schema:
                    raise ValueError(f"two schemas named {name} in the gateway's OpenAPI")
            app.openapi_schema = jsonable_encoder(OpenAPI(**spec), by_alias=True, exclude_none=True)
        return app.openapi_schema

    app.openapi = openapi
