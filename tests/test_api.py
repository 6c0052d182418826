"""The HTTP API through FastAPI's TestClient, and schemathesis over its OpenAPI schema."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import schemathesis
from cchc_graph.api.app import create_app
from cchc_graph.graph.store.build import Store, StoreError
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

HG_RESOLUTION = "000_def938038e5dae73"
VI_THANH_PLAN = "002_0387e2864a5773df"
TOKEN = "test-token-7d1f"


@pytest.fixture(scope="session")
def app(seed_store: Path) -> FastAPI:
    return create_app(seed_store)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok", "documents": 5, "schema_version": 1,
                                            "upload_enabled": False, "backend": "embedded"}


def test_who_leads_over_http(client: TestClient) -> None:
    r = client.get("/who-leads", params={"q": "tuyên truyền", "jurisdiction": "Hậu Giang"})
    assert r.status_code == 200
    body = r.json()
    first = body["data"][0]
    assert body["count"] >= len(body["data"]) >= 1
    assert first["document"]["id"] == HG_RESOLUTION
    lead = [x for x in first["roles"] if x["role"] == "lead"]
    assert [x["agency"]["name"] for x in lead] == ["Ban Tuyên giáo Tỉnh ủy"]
    assert "Ban Tuyên giáo Tỉnh ủy chủ trì" in lead[0]["provenance"]["quote"]


def test_paging(client: TestClient) -> None:
    full = client.get("/citations", params={"limit": 500}).json()
    page = client.get("/citations", params={"limit": 5, "offset": 5}).json()
    assert page["count"] == full["count"] == len(full["data"])
    assert page["data"] == full["data"][5:10]
    assert client.get("/citations", params={"limit": 501}).status_code == 422
    assert client.get("/citations", params={"offset": -1}).status_code == 422


def test_documents_by_id_number_and_reference(client: TestClient) -> None:
    assert client.get("/documents/03-NQ/TU").json()["id"] == HG_RESOLUTION
    ref = client.get("/documents/ref:vn:30c/nq-cp").json()
    assert (ref["number"], ref["date"]) == ("30c/NQ-CP", "2011-11-08")
    cited = client.get("/documents/ref:vn:30c/nq-cp/cited-by").json()
    assert [h["source"]["id"][:3] for h in cited["data"]] == ["003"]


def test_cascade_over_http(client: TestClient) -> None:
    (cas,) = client.get(f"/documents/{VI_THANH_PLAN}/cascade").json()["data"]
    status = {r["metric"]: r["status"] for r in cas["rows"] if r["parent"] and r["child"]}
    assert status["edoc_exchange"] == "weaker" and status["dossier_online_rate"] == "stronger"


def test_unknown_ids_are_404_with_a_message(client: TestClient) -> None:
    for url in ("/documents/khong-co", "/agencies/ag:vn:khong-co", "/documents/khong-co/citations"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "khong-co" in r.json()["detail"]
    r = client.get("/deps", params={"entity": "Sở Ngoại giao"})
    assert r.status_code == 404 and "Sở Ngoại giao" in r.json()["detail"]


def test_bad_parameters_are_422(client: TestClient) -> None:
    assert client.get("/who-leads").status_code == 422
    assert client.get("/who-leads", params={"q": "x" * 201}).status_code == 422
    assert client.get("/audit", params={"rule": "no_such_rule"}).status_code == 422
    assert client.get("/documents/002/citations", params={"depth": 11}).status_code == 422


def test_an_agency_profile_asked_again_reads_its_roles_on_each_request(seed_store: Path) -> None:
    """The server keeps a profile for the data's version, but its roles are read on each
    request's own snapshot: asked again (as the API, then as the page) it answers the same,
    not from the first request's closed snapshot."""
    fresh = TestClient(create_app(seed_store), raise_server_exceptions=False)
    path = "ag:vn-hau-giang-vi-thanh:phong-noi-vu"
    first = fresh.get(f"/agencies/{path}")
    page = fresh.get(f"/pages/agencies/{path}")
    again = fresh.get(f"/agencies/{path}")
    assert (first.status_code, page.status_code, again.status_code) == (200, 200, 200)
    assert again.json() == first.json() and len(first.json()["roles"]) == 4  # lead 3, standing 1
    assert all(r["provenance"]["quote"] in page.text for r in first.json()["roles"])


def test_an_agency_profile_sends_a_window_of_its_roles_when_asked(client: TestClient) -> None:
    """``roles_limit`` / ``roles_offset``: a window of the roles (by document and place), the
    rest of the profile as it is; without them, every role."""
    path = "/agencies/ag:vn-hau-giang-vi-thanh:phong-noi-vu"
    whole = client.get(path).json()
    roles = whole["roles"]
    assert len(roles) == 4  # lead 3, standing 1
    for offset, limit in ((0, 2), (1, 2), (3, 5), (4, 1), (2, 0)):
        got = client.get(path, params={"roles_offset": offset, "roles_limit": limit}).json()
        assert got["roles"] == roles[offset:offset + limit] and got | {"roles": roles} == whole
    assert client.get(path, params={"roles_offset": 3}).json()["roles"] == roles[3:]
    assert client.get(path, params={"roles_limit": -1}).status_code == 422


def test_audit_agency_matrix_calendar(client: TestClient) -> None:
    weaker = client.get("/audit", params={"rule": "target_weaker"}).json()
    assert [v["document"] for v in weaker["data"]] == [VI_THANH_PLAN]
    prof = client.get("/agencies/ag:vn-hau-giang-vi-thanh:phong-noi-vu").json()
    assert prof["role_counts"] == {"lead": 3, "standing": 1}
    csv_resp = client.get("/matrix.csv", params={"document": VI_THANH_PLAN})
    assert csv_resp.headers["content-type"].startswith("text/csv")
    assert "Phòng Nội vụ" in csv_resp.text.splitlines()[0]
    xlsx = client.get("/matrix.xlsx", params={"document": VI_THANH_PLAN})
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(xlsx.content))["Ma trận"].max_row > 1
    ics = client.get("/calendar.ics")
    assert ics.headers["content-type"].startswith("text/calendar") and b"BEGIN:VCALENDAR" in ics.content


def test_no_upload_route_unless_enabled(client: TestClient) -> None:
    assert client.post("/documents", params={"filename": "a.txt"}, content=b"x").status_code == 405


def test_upload_needs_the_token_and_adds_the_document(tmp_path: Path) -> None:
    examples = Path(__file__).resolve().parent.parent / "examples"
    store = Store(tmp_path / "store")
    store.build([examples / "nghi-quyet-cchc-lam-dong.md"])
    c = TestClient(create_app(store.root, upload_token=TOKEN, max_upload_bytes=50_000))
    plan = (examples / "ke-hoach-cchc-duc-trong.md").read_bytes()
    url, name = "/documents", {"filename": "ke-hoach.md"}
    assert c.post(url, params=name, content=plan).status_code == 401
    assert c.post(url, params=name, content=plan, headers={"Authorization": "Bearer nope"}).status_code == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert c.post(url, params={"filename": "../x.md"}, content=plan, headers=auth).status_code == 422
    assert c.post(url, params={"filename": "x.exe"}, content=plan, headers=auth).status_code == 422
    assert c.post(url, params=name, content=b"x" * 50_001, headers=auth).status_code == 413
    r = c.post(url, params=name, content=plan, headers=auth)
    assert r.status_code == 200 and r.json()["documents"] == 2
    # the live corpus now answers with the uploaded plan, resolved against the resolution
    assert c.get("/health").json()["documents"] == 2
    assert c.get("/documents/45/KH-UBND/cascade").json()["count"] == 1


def test_uploads_are_built_in_a_child_process_replaced_when_it_dies(tmp_path: Path) -> None:
    import multiprocessing
    import os
    import signal

    examples = Path(__file__).resolve().parent.parent / "examples"
    store = Store(tmp_path / "store")
    store.build([examples / "nghi-quyet-cchc-lam-dong.md"])
    plan = (examples / "ke-hoach-cchc-duc-trong.md").read_bytes()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    others = {p.pid for p in multiprocessing.active_children()}
    with TestClient(create_app(store.root, upload_token=TOKEN)) as c:
        assert c.post("/documents", params={"filename": "a.md"}, content=plan, headers=auth).status_code == 200
        (builder,) = [p for p in multiprocessing.active_children() if p.pid not in others]
        assert builder.pid != os.getpid()
        os.kill(builder.pid, signal.SIGKILL)  # as the OOM killer would, between two uploads
        builder.join(10)
        r = c.post("/documents", params={"filename": "b.md"}, content=plan, headers=auth)
        assert r.status_code == 200 and r.json()["documents"] == 3
        assert c.get("/health").json()["documents"] == 3
    # the app's end stops its builder
    assert not [p for p in multiprocessing.active_children() if p.pid not in others]


def test_app_refuses_a_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cchc build"):
        create_app(tmp_path / "none")


def _conformance_check(op):
    # a SPARQL query's grammar is beyond a schema: a schema-valid string may be a 400
    excluded = [positive_data_acceptance] if op.path == "/sparql" else []

    @given(case=op.as_strategy())
    @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(excluded_checks=excluded)

    return check


def test_api_conforms_to_its_schema(app: FastAPI) -> None:
    """Generated requests to every operation never cause a 5xx, and every response matches the
    documented schema (status code, content type, body)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for op in operations:
        check = _conformance_check(op)
        try:
            check()
        except Exception as e:
            raise AssertionError(f"{op.label}: {e}") from e


def test_a_documents_text_gives_each_quote_at_its_span(client: TestClient, seed_export: dict) -> None:
    url = f"/documents/{VI_THANH_PLAN}/text"
    whole = client.get(url).json()
    assert whole["document"] == VI_THANH_PLAN and whole["start"] == 0
    assert whole["end"] == whole["length"] == len(whole["text"]) > 1000
    quoted = [r["provenance"] for r in seed_export["targets"] if r["provenance"]["document"] == VI_THANH_PLAN]
    for p in quoted[:8]:
        got = client.get(url, params={"start": p["start"], "end": p["end"]}).json()
        assert got == {"document": VI_THANH_PLAN, "start": p["start"], "end": p["end"],
                       "length": whole["length"], "text": p["quote"]}
        assert whole["text"][p["start"]:p["end"]] == p["quote"]
    assert client.get(url, params={"start": 7}).json()["text"] == whole["text"][7:]
    r = client.get(url, params={"start": 5, "end": whole["length"] + 1})
    assert r.status_code == 422 and f"(0:{whole['length']})" in r.json()["detail"]
    assert client.get(url, params={"start": -1}).status_code == 422
    for missing in ("/documents/khong-co/text", "/documents/ref:vn:30c/nq-cp/text"):
        r = client.get(missing)
        assert r.status_code == 404 and ("khong-co" in r.json()["detail"] or "no text stored" in r.json()["detail"])
