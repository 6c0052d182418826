"""Messy input: every broken file gets one clear message naming it; odd but readable files load.

The document text here is written for these tests. Legacy-encoded files are made by encoding
that text with the project's own tables turned around, then checked against the original.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from cchc_graph.api.cli import cli
from cchc_graph.keys import fold
from cchc_graph.loaders import legacy, ocr
from cchc_graph.loaders.pipeline import load_document
from cchc_graph.loaders.read import LoadError, ReadOptions, read_document
from click.testing import CliRunner
from conftest import SEEDS

PLAN = """\
Kế hoạch cải cách hành chính năm 2024
I. Mục tiêu
- Tối thiểu 95% hồ sơ thủ tục hành chính được giải quyết đúng hạn.
II. Tổ chức thực hiện
1. Sở Nội vụ chủ trì, phối hợp với Sở Tư pháp theo dõi việc thực hiện kế hoạch này.
"""  # only capitals that TCVN3 can encode (its toned capitals live in a separate font)

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def to_legacy(text: str, encoding: str) -> str:
    """Our text as a legacy font encoding would have stored it (the inverse table)."""
    _, pairs = legacy._table(encoding)
    inverse = {u: code for code, u in pairs.items()}
    return "".join(inverse.get(ch, ch) for ch in text)


def to_cp1258(text: str) -> bytes:
    """Windows-1258 keeps â ê ô ơ ư ă đ precomposed and writes tones as combining marks."""
    import unicodedata

    out = []
    for ch in text:
        base, *marks = unicodedata.normalize("NFD", ch)
        shape = [m for m in marks if m in "\u0302\u0306\u031b"]
        tones = [m for m in marks if m not in shape]
        out.append(unicodedata.normalize("NFC", base + "".join(shape)) + "".join(tones))
    return "".join(out).encode("cp1258")


def docx_bytes(text: str) -> bytes:
    import docx

    d = docx.Document()
    for line in text.splitlines():
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(Path(__file__).parent / "fixtures" / "ke-hoach-mau.pdf"))
    writer.encrypt(user_password="mat-khau", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


def scanned_pdf(text: str) -> bytes:
    """A page image of the text in a PDF with no text layer, as a scanner makes it."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 36)
    img = Image.new("L", (2480, 160 + 70 * len(text.splitlines())), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(text.splitlines()):
        draw.text((150, 100 + 70 * i), line, font=font, fill=0)
    buf = io.BytesIO()
    img.save(buf, format="PDF", resolution=300)
    return buf.getvalue()


# name → bytes → the problem the message must state
BROKEN: list[tuple[str, Callable[[], bytes], str]] = [
    ("empty.txt", lambda: b"", "empty file"),
    ("blank.md", lambda: b" \n\r\n\t\n", "empty file"),
    ("photo.txt", lambda: b"\x89PNG\r\n\x1a\n" + bytes(200), "content is an image"),
    ("dump.txt", lambda: bytes(range(256)) * 8, "binary content"),
    ("garbage.txt", lambda: bytes(range(0x80, 0x100)) * 4, "not valid UTF-8"),
    ("notes.rtf", lambda: b"{\\rtf1\\ansi hello}", "RTF document"),
    ("old.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "legacy Word .doc"),
    ("protected.docx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
     "password-protected Office file"),
    ("broken.docx", lambda: b"PK\x03\x04 word/document.xml but no archive", "corrupt or unreadable .docx"),
    ("sheet.xlsx", xlsx_bytes, "ZIP archive that is not a Word .docx"),
    ("broken.pdf", lambda: b"%PDF-1.4\n1 0 obj garbage", "PDF"),
    ("locked.pdf", encrypted_pdf, "password-protected PDF"),
    ("plan.tar.gz.txt", lambda: b"\x1f\x8b\x08\x00" + bytes(100), "compressed archive"),
]


@pytest.mark.parametrize(("name", "make", "problem"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_names_the_file_and_the_problem(tmp_path: Path, name: str,
                                                    make: Callable[[], bytes], problem: str) -> None:
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(LoadError) as err:
        read_document(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and problem in message
    assert "\n" not in message  # one line


def test_size_cap_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(PLAN * 20_000, encoding="utf-8")  # ~2.4 MB
    with pytest.raises(LoadError, match=r"above the 1 MB cap"):
        read_document(path, ReadOptions(max_bytes=1024 * 1024))
    assert read_document(path).blocks  # under the default cap it reads


# name → bytes → what the warning says (None: no warning)
ODD: list[tuple[str, Callable[[], bytes], str | None]] = [
    ("utf8-bom.txt", lambda: b"\xef\xbb\xbf" + PLAN.encode(), None),
    ("utf16.txt", lambda: PLAN.encode("utf-16"), None),
    ("utf16-no-bom.txt", lambda: PLAN.encode("utf-16-le"), None),
    ("crlf.txt", lambda: PLAN.replace("\n", "\r\n").encode(), None),
    ("tcvn3.txt", lambda: to_legacy(PLAN, "tcvn3").encode("latin-1"), "decoded as TCVN3 (ABC)"),
    ("vni.txt", lambda: to_legacy(PLAN, "vni").encode("cp1252"), "decoded as VNI"),
    ("cp1258.txt", lambda: to_cp1258(PLAN), "decoded as Windows-1258"),
    ("one-bad-byte.txt", lambda: PLAN.encode().replace(b" ", b" \xff", 1),
     "1 invalid UTF-8 sequence(s) replaced"),
    ("tcvn3-font.docx", lambda: docx_bytes(to_legacy(PLAN, "tcvn3")), "TCVN3 (ABC) font encoding"),
    ("vni-font.docx", lambda: docx_bytes(to_legacy(PLAN, "vni")), "VNI font encoding"),
    ("really-docx.pdf", lambda: docx_bytes(PLAN), "extension says '.pdf' but the content is DOCX"),
    ("really-text.docx", lambda: PLAN.encode(), "extension says '.docx' but the content is TXT"),
    ("no-extension", lambda: PLAN.encode(), "extension says '(none)' but the content is TXT"),
    ("broken-tags.html", lambda: ("<div><p>" + PLAN.replace("\n", "<br><span>") + "</td></b>").encode(), None),
    ("page-in.txt", lambda: ("<!DOCTYPE html><html><body><p>" + PLAN.replace("\n", "</p><p>")
                             + "</body></html>").encode(), "content is HTML"),
]


@pytest.mark.parametrize(("name", "make", "warning"), ODD, ids=[o[0] for o in ODD])
def test_odd_file_loads_with_its_facts(tmp_path: Path, name: str, make: Callable[[], bytes],
                                       warning: str | None) -> None:
    path = tmp_path / name
    path.write_bytes(make())
    facts = load_document(path)
    notes = [w for w in facts.warnings if "jurisdiction" not in w and "no headings" not in w]
    if warning is None:
        assert notes == []
    else:
        assert len(notes) == 1 and notes[0].startswith(f"{path}: ") and warning in notes[0], notes
    text = facts.text if name != "one-bad-byte.txt" else facts.text.replace("\ufffd", "")
    assert "Sở Nội vụ chủ trì, phối hợp với Sở Tư pháp" in text
    names = {a.id: a.name for a in facts.agencies}
    roles = {(names[r.agency], r.role) for r in facts.responsibilities}
    assert {("Sở Nội vụ", "lead"), ("Sở Tư pháp", "cooperate")} <= roles
    assert [(t.value, t.comparator) for t in facts.targets] == [(95.0, ">=")]


def test_unicode_text_is_never_converted() -> None:
    for text in (PLAN, PLAN.upper(), "Hà Nội", "Tà Xùa, Mù Cang Chải"):
        assert legacy.detect(text) is None
        assert legacy.convert_blocks([text])[0] is None


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_round_trip(encoding: str) -> None:
    typed = to_legacy(PLAN, encoding)
    assert typed != PLAN and legacy.detect(typed) == encoding
    assert legacy.convert(typed, encoding) == PLAN


def _need_ocr() -> None:
    why = ocr.unavailable() or (None if FONT.exists() else f"font {FONT} missing")
    if why:
        if os.environ.get("CCHC_REQUIRE_OCR"):
            pytest.fail(f"OCR required in CI but not available: {why}")
        pytest.skip(f"OCR not available here: {why}")


def test_scanned_pdf_is_read_by_ocr(tmp_path: Path) -> None:
    _need_ocr()
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf(PLAN))
    facts = load_document(path)
    assert any("read by OCR (tesseract, vie)" in w for w in facts.warnings)
    assert "so noi vu chu tri, phoi hop voi so tu phap" in fold(facts.text)
    assert [(t.value, t.comparator) for t in facts.targets] == [(95.0, ">=")]


def test_scanned_pdf_without_ocr_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf("Ke hoach") if FONT.exists() else _blank_pdf())
    with pytest.raises(LoadError, match=r"no text layer .* OCR is off"):
        read_document(path, ReadOptions(ocr=False))
    monkeypatch.setattr(ocr, "unavailable", lambda: "install tesseract-ocr and tesseract-ocr-vie")
    with pytest.raises(LoadError, match=r"no text layer \(a scan\); install tesseract-ocr and "):
        read_document(path)


def test_pdf_with_one_scanned_page_keeps_its_text_and_reads_the_scan(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    if not FONT.exists():
        pytest.skip(f"font {FONT} missing")
    writer = PdfWriter(clone_from=PdfReader(Path(__file__).parent / "fixtures" / "ke-hoach-mau.pdf"))
    writer.append(PdfReader(io.BytesIO(scanned_pdf(PLAN))))
    path = tmp_path / "mixed.pdf"
    with path.open("wb") as f:
        writer.write(f)
    facts = load_document(path, options=ReadOptions(ocr=False))  # page 1 still loads
    assert "Số: 88/KH-UBND" in facts.text and "95% hồ sơ thủ tục" not in facts.text
    assert any("page(s) 2 have no text layer and were left out; OCR is off" in w for w in facts.warnings)
    _need_ocr()
    facts = load_document(path)
    assert any("no text layer on page(s) 2; read by OCR" in w for w in facts.warnings)
    assert "Số: 88/KH-UBND" in facts.text
    assert "95% ho so thu tuc hanh chinh duoc giai quyet dung han" in fold(facts.text)
    assert sorted(t.value for t in facts.targets) == [90.0, 95.0]  # page 1's and the scan's


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(595, 842)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def test_broken_files_mixed_with_the_seeds(tmp_path: Path, seed_export: dict) -> None:
    """The acceptance test: every seed loads fully, every broken file is reported."""
    if not SEEDS.exists():
        pytest.skip("seed corpus not found")
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus, ignore=shutil.ignore_patterns("README*"))
    broken = {}
    for name, make, problem in BROKEN:
        (corpus / "bad").mkdir(exist_ok=True)
        (corpus / "bad" / name).write_bytes(make())
        broken[str(corpus / "bad" / name)] = problem
    (corpus / "bad" / "huge.txt").write_text(PLAN * 20_000, encoding="utf-8")
    broken[str(corpus / "bad" / "huge.txt")] = "above the 1 MB cap"
    store = tmp_path / "store"
    r = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(store), "--json",
                                 "--max-file-mb", "1"])
    assert r.exit_code == 1, r.output  # 1: some files skipped
    report = json.loads(r.stdout)
    skipped = {s["path"]: s["reason"] for s in report["skipped"]}
    assert skipped.keys() == broken.keys()
    for path, problem in broken.items():
        assert problem in skipped[path], (path, skipped[path])
    assert len(report["loaded"]) == len(seed_export["documents"])
    export = json.loads(CliRunner().invoke(cli, ["export", "--store", str(store)]).stdout)
    for key in ("tasks", "responsibilities", "targets", "citations", "agencies", "edges"):
        assert len(export[key]) == len(seed_export[key]), key
