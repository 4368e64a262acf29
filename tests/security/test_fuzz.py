"""Fuzzing the gateway's OpenAPI schema with schemathesis: for every operation, bounded
examples (FUZZ_EXAMPLES, default 25: about 3/5 valid input, the rest invalid) sent with an
admin's token; no input may make the system fail (5xx other than 503 + Retry-After, a
dependency down). The schema is the gateway app's own (no server needed to collect), the
requests go to the running stack. Requests come from a documentation address
(X-Forwarded-For) so the login lock-out the fuzzer provokes never locks out other tests.

schemathesis' pytest plugin does not run under pytest 9, so hypothesis drives each
operation's strategy directly."""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from services.gateway.app import create_app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ_CLIENT = {"X-Forwarded-For": "198.51.100.250"}
SCHEMA = schemathesis.openapi.from_dict(create_app().openapi())
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_input_makes_the_gateway_fail(stack, admin, label):
    operation = OPERATIONS[label]
    headers = {**admin, **FUZZ_CLIENT}
    for mode, examples in ((schemathesis.GenerationMode.POSITIVE, EXAMPLES - EXAMPLES * 2 // 5),
                           (schemathesis.GenerationMode.NEGATIVE, EXAMPLES * 2 // 5)):
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def check(case) -> None:
            response = case.call(base_url=stack.url(), headers=headers, timeout=30)
            unavailable = response.status_code == 503 and "Retry-After" in response.headers
            assert response.status_code < 500 or unavailable, (
                f"{response.status_code} for {case.as_curl_command()}\n{response.text[:2000]}")
        try:
            check()
        except Unsatisfiable:  # no input of this operation can be invalid (it takes none)
            assert mode is schemathesis.GenerationMode.NEGATIVE
