"""Schemathesis against the service's own OpenAPI schema: every operation, valid and invalid inputs,
a real uvicorn server with the real model and index, keys on. Every response must pass all of
schemathesis' default checks (no 5xx, documented status, content type, headers and body schema,
invalid data rejected, valid data accepted)."""

from __future__ import annotations

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from pydantic import SecretStr
from schemathesis import GenerationMode

from service.http.app import create_app
from service.app.runtime import load_engine
from tests.live_server import thread_server

pytestmark = pytest.mark.integration
API_KEY, ADMIN_KEY = "st-api-key", "st-admin-key"
EXAMPLES = 130  # per operation and generation mode; operations with few distinct inputs stop sooner
MIN_CASES = 500


@pytest.fixture(scope="module")
def live(real_settings, real_embedder):
    settings = real_settings.model_copy(update={"api_key": SecretStr(API_KEY), "admin_key": SecretStr(ADMIN_KEY)})
    with thread_server(create_app(settings)) as base:
        yield base


def _run(operation, mode: GenerationMode, base: str) -> list[int]:
    key = ADMIN_KEY if operation.path.startswith("/v1/admin/") else API_KEY
    statuses: list[int] = []

    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def check(case) -> None:
        response = case.call_and_validate(base_url=base, headers={"Authorization": f"Bearer {key}"})
        statuses.append(response.status_code)

    try:
        check()
    except hypothesis.errors.Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        # e.g. a free-form string path parameter: every value is valid, none can be made invalid
    return statuses


def _can_be_invalid(operation) -> bool:
    """Negative generation needs something to make invalid: a body or a parameter."""
    definition = operation.definition.raw
    return bool(definition.get("requestBody") or definition.get("parameters"))


def test_every_operation_conforms_to_the_schema(live):
    schema = schemathesis.openapi.from_url(live + "/openapi.json")
    cases: dict[str, list[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if _can_be_invalid(operation) else [])
        for mode in modes:
            cases[f"{operation.label} {mode.value}"] = _run(operation, mode, live)
    labels = " ".join(cases)
    for route in ("POST /v1/ask", "POST /v1/search", "GET /v1/documents", "GET /v1/documents/{doc_id}",
                  "POST /v1/admin/reload", "GET /livez", "GET /readyz", "GET /v1/models",
                  "POST /v1/chat/completions"):
        assert route in labels, f"{route} missing from the schema"
    total = sum(len(v) for v in cases.values())
    server_errors = [s for v in cases.values() for s in v if s >= 500]
    summary = {k: len(v) for k, v in cases.items()}
    print(f"schemathesis: {total} cases over {len(cases)} operation/mode pairs, "
          f"{len(server_errors)} server errors: {summary}")
    assert not server_errors
    assert total >= MIN_CASES, summary
    assert any(200 in v for k, v in cases.items() if k.startswith("POST /v1/ask")), "no valid question answered"
    assert any(200 in v for k, v in cases.items() if k.startswith("POST /v1/chat/completions")), "no chat answered"
