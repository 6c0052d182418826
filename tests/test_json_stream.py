"""``--json`` answers: a list is written an item at a time, as the answer builds it, and reads
the same as the whole list dumped at once."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
import pytest
from cchc_graph.api.options import emit_json
from cchc_graph.graph.questions.tables import Answers


def test_list_items_are_written_as_they_are_built(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    seen: list[str] = []  # what the reader had when each item was built

    def build(key: str) -> dict[str, object]:
        seen.append(out.getvalue())
        return {"id": key, "lines": ["một\nhai", key]}

    answers = Answers(["a", "b", "c"], build)
    answers.RUN = 1
    emit_json(answers)
    assert '"id": "a"' in seen[1] and '"id": "b"' in seen[2]
    assert out.getvalue() == _one_dump([build(k) for k in "abc"])


def _one_dump(obj: object) -> str:
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2).decode() + "\n"


@pytest.mark.parametrize("obj", [[], [[]], [1, "x"], {"rows": [{"a": []}]}, ([{}, [[2]]],),
                                 [{"tên": "Sở Nội vụ", "n": 1.5, "k": None}], {3: "khóa số / int key"}])
def test_same_text_as_one_dump(obj: object, monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    emit_json(obj)
    text = out.getvalue()
    if not isinstance(obj, dict):
        assert text == _one_dump(obj)
    # what the json module reads back is the answer, keys as JSON has them, letters unescaped
    assert json.loads(text) == json.loads(json.dumps(obj, ensure_ascii=False))
    assert "\\u" not in text


@pytest.mark.parametrize("fields", [{"n": 1, "rows": iter([])}, {"rows": iter([{"a": [1, {"b": "x\ny"}]}, 2]), "n": None},
                                    {"tổng": 3, "rows": iter([[], [[]], "chữ"]), "m": {"k": [1]}}])
def test_a_field_given_as_an_iterator_reads_as_one_dump(fields: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """A mapping answer whose field is an iterator (``cchc stats --documents --json``'s rows,
    read as they are written) is the same text as the mapping dumped whole."""
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    whole = {k: list(v) if k == "rows" else v for k, v in fields.items()}
    again = {k: iter(v) if k == "rows" else v for k, v in whole.items()}
    emit_json(again)
    assert out.getvalue() == _one_dump(whole)


@dataclass(frozen=True)
class _Profile:  # an answer with a field of items built when read, as an agency's roles
    name: str
    counts: dict[str, int]
    roles: Sequence[dict[str, object]]
    lines: tuple[str, ...]


@pytest.mark.parametrize("keys", [[], ["a"], ["a", "b", "c"]])
def test_an_answers_lazy_field_is_written_as_built_and_reads_as_one_dump(
        keys: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``cchc agency --json``: a list of profiles, each profile's roles written a role at a
    time (the first reach the reader before the rest are built), the text that of one dump."""
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    seen: list[str] = []

    def build(key: str) -> dict[str, object]:
        seen.append(out.getvalue())
        return {"role": key, "quote": "dòng một\ndòng hai"}

    def profiles() -> list[_Profile]:
        roles = Answers(keys, build)
        roles.RUN = roles.FIRST = 1
        return [_Profile("Sở Nội vụ", {"lead": 2}, roles, ("x",)), _Profile("Phòng", {}, [], ())]

    emit_json(profiles())
    if len(keys) > 1:
        assert '"role": "a"' in seen[1] and '"role": "b"' not in seen[1]
    whole = [{"name": p.name, "counts": p.counts, "roles": list(p.roles), "lines": list(p.lines)}
             for p in profiles()]
    assert out.getvalue() == _one_dump(whole)
