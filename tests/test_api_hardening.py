"""The API facing the network: caps, no path traversal, CORS off, no stack traces, offline docs,
uploads (token, size cap, queueing behind a build) and schemathesis on the upload operation."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
import schemathesis
from cchc_graph.api.app import create_app
from cchc_graph.graph.questions import queries
from cchc_graph.graph.store.build import Store
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TOKEN = "hardening-token-51c0"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def client(seed_store: Path) -> TestClient:
    return TestClient(create_app(seed_store), raise_server_exceptions=False)


def _upload_app(tmp_path: Path, **kw) -> TestClient:
    store = Store(tmp_path / "store")
    store.build([EXAMPLES / "nghi-quyet-cchc-lam-dong.md"])
    return TestClient(create_app(store.root, upload_token=TOKEN, **kw), raise_server_exceptions=False)


@pytest.mark.parametrize("url", [
    "/pages/documents/../../manifest.json",
    "/pages/documents/..%2F..%2Fmanifest.json",
    "/pages/documents/%2e%2e/%2e%2e/etc/passwd",
    "/pages/agencies/../../../../etc/passwd",
    "/documents/..%2F..%2Fmanifest.json",
    "/agencies/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static-offline-docs/../../../../etc/passwd",
    "/static-offline-docs/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/static-offline-docs/%2e%2e/%2e%2e/fastapi_offline/core.py",
])
def test_no_path_reaches_a_file_outside_what_is_served(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code in (404, 422), (url, r.status_code)
    assert "root:" not in r.text and "schema_version" not in r.text and "def FastAPIOffline" not in r.text


@pytest.mark.parametrize(("url", "params"), [
    ("/who-leads", {"q": "x" * 201}),
    ("/search", {"q": "x" * 201}),
    ("/documents", {"limit": 501}),
    ("/documents", {"limit": 0}),
    ("/documents", {"offset": -1}),
    ("/documents", {"limit": "many"}),
    ("/", {"max_nodes": 10**9}),
    ("/", {"depth": 99}),
])
def test_parameters_are_validated_and_capped(client: TestClient, url: str, params: dict) -> None:
    r = client.get(url, params=params)
    assert r.status_code == 422, (url, params, r.status_code)
    assert "Traceback" not in r.text


def test_errors_carry_no_stack_trace(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*a, **kw):
        raise RuntimeError("secret internal detail at /srv/cchc/graph/index.py line 42")

    monkeypatch.setattr(queries, "who_leads", boom)
    r = client.get("/who-leads", params={"q": "Sở Nội vụ"})
    assert r.status_code == 500
    assert r.json() == {"detail": "lỗi máy chủ / internal error"}
    assert "secret" not in r.text and "Traceback" not in r.text


def test_cors_is_off_unless_an_origin_is_named(client: TestClient, seed_store: Path) -> None:
    origin = {"Origin": "https://bao-cao.example.vn"}
    r = client.get("/health", headers=origin)
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = client.options("/health", headers={**origin, "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in pre.headers
    allowed = TestClient(create_app(seed_store, cors_origins=["https://bao-cao.example.vn"]))
    assert allowed.get("/health", headers=origin).headers["access-control-allow-origin"] == origin["Origin"]
    other = allowed.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    pre = allowed.options("/documents", headers={**origin, "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 400  # read-only server: only GET crosses origins


def test_api_docs_are_served_without_a_cdn(client: TestClient) -> None:
    html = client.get("/docs").text
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    urls += re.findall(r"""url:\s*['"]([^'"]+)['"]""", html)
    assert len(urls) >= 3  # script, stylesheet, the OpenAPI document
    for url in urls:
        assert url.startswith("/"), f"/docs loads {url} from off this server"
        assert client.get(url).status_code == 200, url
    assert client.get("/redoc").status_code == 404  # its bundle fetches a logo from a CDN


def test_upload_is_token_protected_and_capped(tmp_path: Path) -> None:
    c = _upload_app(tmp_path, max_upload_bytes=30_000)
    plan = (EXAMPLES / "ke-hoach-cchc-duc-trong.md").read_bytes()
    url, name = "/documents", {"filename": "ke-hoach.md"}
    assert c.post(url, params=name, content=plan).status_code == 401
    assert c.post(url, params=name, content=plan, headers={"Authorization": TOKEN}).status_code == 401
    for bad in ("../ke-hoach.md", "..", ".hidden.md", "a/b.md", "a\\b.md", "x.exe", "x" * 151 + ".md"):
        assert c.post(url, params={"filename": bad}, content=plan, headers=AUTH).status_code == 422, bad
    assert c.post(url, params=name, content=b"x" * 30_001, headers=AUTH).status_code == 413
    r = c.post(url, params={"filename": "rong.txt"}, content=b"   ", headers=AUTH)
    assert r.status_code == 422 and "empty file" in r.json()["detail"]
    assert c.get("/health").json()["documents"] == 1  # nothing stored by the refused uploads
    assert c.post(url, params=name, content=plan, headers=AUTH).json()["documents"] == 2


def test_upload_waits_for_a_running_build(tmp_path: Path) -> None:
    c = _upload_app(tmp_path)
    store = Store(tmp_path / "store")
    plan = (EXAMPLES / "ke-hoach-cchc-duc-trong.md").read_bytes()
    locked = threading.Event()

    def hold() -> None:
        with store.lock():
            locked.set()
            threading.Event().wait(0.7)

    t = threading.Thread(target=hold)
    t.start()
    locked.wait()
    r = c.post("/documents", params={"filename": "ke-hoach.md"}, content=plan, headers=AUTH)
    t.join()
    assert r.status_code == 200 and r.json()["documents"] == 2


def test_upload_operation_conforms_to_its_schema(tmp_path: Path) -> None:
    """schemathesis on POST /documents with the token: any generated request gets a documented
    answer (never a 5xx), and the store stays loadable."""
    c = _upload_app(tmp_path)
    schema = schemathesis.openapi.from_asgi("/openapi.json", c.app)
    op = schema["/documents"]["POST"]

    @given(case=op.as_strategy())
    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        case.headers = {**(case.headers or {}), **AUTH}
        # content is checked by reading the document: a schema-valid body may still be refused
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    check()
    assert Store(tmp_path / "store").load_export()["documents"]


# --- answers that grow with the corpus are paged or bounded ----------------------------------

def test_whole_matrix_and_calendar_past_their_bound_are_refused(client: TestClient, seed_export: dict,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from cchc_graph.api.routes import planning as routes

    plan = "002_0387e2864a5773df"
    in_plan = sum(1 for t in seed_export["tasks"] if t["document"] == plan)
    assert in_plan < len(seed_export["tasks"])
    monkeypatch.setattr(routes, "MAX_SCOPE_TASKS", in_plan)  # one plan fits, the corpus does not
    for url in ("/matrix", "/matrix.csv", "/matrix.xlsx"):
        whole = client.get(url)
        assert whole.status_code == 422, url
        assert f"{len(seed_export['tasks'])} tasks" in whole.json()["detail"]
        assert client.get(url, params={"document": plan}).status_code == 200, url
    plan_deadlines = client.get("/calendar", params={"document": plan}).json()["count"]
    total = client.get("/calendar").json()["count"]
    assert 0 < plan_deadlines < total
    monkeypatch.setattr(routes, "MAX_CALENDAR_EVENTS", plan_deadlines)
    assert client.get("/calendar.ics").status_code == 422
    assert client.get("/calendar.ics", params={"document": plan}).status_code == 200


def test_dependencies_are_paged_with_their_counts(client: TestClient, seed_corpus) -> None:
    from cchc_graph.graph.questions import trace

    entity = "002_0387e2864a5773df"
    up, down = trace.dependencies(seed_corpus, entity, 3)
    assert len(down) > 2
    r = client.get("/deps", params={"entity": entity, "depth": 3, "limit": 2, "offset": 1}).json()
    assert (r["depends_on_count"], r["depended_on_by_count"]) == (len(up), len(down))
    assert [x["target"] for x in r["depended_on_by"]] == [x.target for x in down[1:3]]


def test_requests_past_their_bound_get_503_with_retry_after() -> None:
    """Two bounds: on all requests in progress, and per path (one graph page drawn at a time)."""
    import asyncio

    import httpx
    from cchc_graph.api.admission import Admission
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def run() -> list[tuple[str, int, str | None]]:
        release = asyncio.Event()

        async def slow(_request) -> PlainTextResponse:
            await release.wait()
            return PlainTextResponse("drawn")

        async def fast(_request) -> PlainTextResponse:
            return PlainTextResponse("ok")

        inner = Starlette(routes=[Route("/", slow), Route("/a", slow), Route("/b", fast),
                                  Route("/health", fast)])
        app = Admission(inner, limit=2, per_path={"/": 1})
        seen = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            async def get(url: str) -> None:
                r = await client.get(url)
                seen.append((url, r.status_code, r.headers.get("retry-after")))

            first = asyncio.create_task(get("/"))
            await asyncio.sleep(0.05)
            await get("/")  # the same path: past its own bound
            await get("/b")  # another path: one request of two in progress
            second = asyncio.create_task(get("/a"))
            await asyncio.sleep(0.05)
            await get("/b")  # two in progress: past the bound on all
            await get("/health")  # always answered
            release.set()
            await asyncio.gather(first, second)
            await get("/")  # free again
        return seen

    assert asyncio.run(run()) == [("/", 503, "1"), ("/b", 200, None), ("/b", 503, "1"), ("/health", 200, None),
                                  ("/", 200, None), ("/a", 200, None), ("/", 200, None)]
