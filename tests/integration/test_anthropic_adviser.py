"""The Anthropic adviser through the real SDK, against a local server that speaks the Messages API.

No network here reaches api.anthropic.com, so the server plays it: it records what the SDK sent and
answers with whatever the test queues — a good answer, a broken one, an error status.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from structlog.testing import capture_logs

from adolf.adapters.llm.anthropic_adviser import CAMPAIGNS_PER_REQUEST, build_anthropic_adviser
from adolf.application.marketing.adviser import RuleBasedAdviser
from adolf.application.marketing.ports import AnalyticsFinding
from adolf.container import build_container
from adolf.settings import load_settings

KEY = "sk-ant-test-0123456789abcdef"


@dataclass
class FakeAnthropic:
    replies: list[tuple[int, Any]] = field(default_factory=list)  # (status, body) in order
    requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    url: str = ""


def _message(text: str) -> dict[str, Any]:
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-5-5",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 10},
    }


@pytest.fixture
def api() -> Iterator[FakeAnthropic]:
    fake = FakeAnthropic()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            fake.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status, reply = fake.replies.pop(0) if fake.replies else (500, {"type": "error"})
            payload = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def _findings(*campaigns: int) -> list[AnalyticsFinding]:
    return [
        AnalyticsFinding(cid, f"Campaign {cid}", kind, "drr", f"drr {kind} on {cid}")
        for cid in campaigns
        for kind in ("anomaly", "trend")
    ]


def _adviser(api: FakeAnthropic) -> Any:
    return build_anthropic_adviser(KEY, "claude-opus-5-5", RuleBasedAdviser(), base_url=api.url, timeout=5)


def test_the_model_is_asked_once_with_every_finding_and_its_advice_is_kept(api: FakeAnthropic) -> None:
    api.replies.append(
        (
            200,
            _message(
                'Here you go:\n[{"campaign_id": 1, "recommendation": "Снизьте ставки   по фразам без заказов."},'
                ' {"campaign_id": "2", "recommendation": "Поднимите бюджет."}]'
            ),
        )
    )
    advice = _adviser(api).recommend(_findings(1, 2))
    assert advice == [(1, "Снизьте ставки по фразам без заказов."), (2, "Поднимите бюджет.")]
    ((headers, body),) = api.requests
    assert KEY in (headers.get("x-api-key"), headers.get("authorization", "").removeprefix("Bearer "))
    assert body["model"] == "claude-opus-5-5" and body["max_tokens"] > 0 and "JSON" in body["system"]
    sent = json.loads(body["messages"][0]["content"])
    assert [c["campaign_id"] for c in sent] == [1, 2]
    assert [f["kind"] for f in sent[0]["findings"]] == ["anomaly", "trend"]


def test_campaigns_the_model_skipped_or_invented_get_the_rule_based_advice(api: FakeAnthropic) -> None:
    api.replies.append(
        (200, _message('[{"campaign_id": 1, "recommendation": "A."}, {"campaign_id": 99, "recommendation": "B."}]'))
    )
    with capture_logs() as logs:
        advice = dict(_adviser(api).recommend(_findings(1, 2)))
    rules = dict(RuleBasedAdviser().recommend(_findings(2)))
    assert advice == {1: "A.", 2: rules[2]}
    assert any(e["event"] == "llm.partial_answer" and e["missing"] == 1 for e in logs)


@pytest.mark.parametrize(
    ("status", "reply"),
    [
        (200, _message("I cannot help with that.")),
        (200, _message("[{broken json")),
        (200, _message('[{"campaign_id": 5, "recommendation": ""}]')),
        (401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
        (400, {"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}),
    ],
)
def test_an_unusable_answer_or_an_error_falls_back_to_the_rules_and_logs_no_secret(
    api: FakeAnthropic, status: int, reply: Any
) -> None:
    api.replies.append((status, reply))
    findings = _findings(1, 2)
    with capture_logs() as logs:
        advice = _adviser(api).recommend(findings)
    assert advice == RuleBasedAdviser().recommend(findings)
    (fallback,) = [e for e in logs if e["event"] == "llm.fallback"]
    assert fallback["campaigns"] == 2
    assert KEY not in repr(logs)


def test_a_server_error_is_retried_by_the_sdk_before_falling_back(api: FakeAnthropic) -> None:
    api.replies += [
        (529, {"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}),
        (200, _message('[{"campaign_id": 3, "recommendation": "Ok."}]')),
    ]
    assert _adviser(api).recommend(_findings(3)) == [(3, "Ok.")]
    assert len(api.requests) == 2


def test_many_campaigns_go_in_bounded_requests(api: FakeAnthropic) -> None:
    campaigns = list(range(1, CAMPAIGNS_PER_REQUEST + 6))
    for chunk in (campaigns[:CAMPAIGNS_PER_REQUEST], campaigns[CAMPAIGNS_PER_REQUEST:]):
        api.replies.append((200, _message(json.dumps([{"campaign_id": c, "recommendation": f"r{c}"} for c in chunk]))))
    advice = _adviser(api).recommend(_findings(*campaigns))
    assert advice == [(c, f"r{c}") for c in campaigns]
    assert [len(json.loads(body["messages"][0]["content"])) for _, body in api.requests] == [CAMPAIGNS_PER_REQUEST, 5]


def test_no_findings_asks_nothing(api: FakeAnthropic) -> None:
    assert _adviser(api).recommend([]) == []
    assert api.requests == []


def test_the_container_picks_the_model_only_when_a_key_is_set(api: FakeAnthropic, tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    assert isinstance(build_container(load_settings(database_url=url)).language_model(), RuleBasedAdviser)
    settings = load_settings(database_url=url, anthropic_api_key=KEY, anthropic_base_url=api.url)
    model = build_container(settings).language_model()
    api.replies.append((200, _message('[{"campaign_id": 7, "recommendation": "Go."}]')))
    assert model.recommend(_findings(7)) == [(7, "Go.")]
    assert KEY not in repr(settings)


def test_a_simulation_never_spends_tokens_even_with_a_key_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from adolf.entrypoints.simulation.run import SimulationOptions, simulation_settings

    monkeypatch.setenv("ADOLF_ANTHROPIC_API_KEY", KEY)
    assert load_settings().anthropic_api_key is not None
    settings = simulation_settings(SimulationOptions(database_url=f"sqlite:///{tmp_path / 's.sqlite3'}"))
    assert settings.anthropic_api_key is None
