"""OCR of scanned PDFs with Debian's tesseract (``tesseract-ocr`` + ``tesseract-ocr-vie``).

Pages are rendered with pdfium (``pypdfium2``) and piped to the ``tesseract`` command; no
model is downloaded, so OCR is there only when the Vietnamese language data is installed.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import cache

DPI = 300
PAGE_TIMEOUT_S = 300


class OcrError(Exception):
    """Rendering or recognition failed."""


@cache
def unavailable() -> str | None:
    """Why OCR cannot run here (None when it can)."""
    exe = shutil.which("tesseract")
    if exe is None:
        return "install tesseract-ocr and tesseract-ocr-vie to read it by OCR"
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as e:
        return f"tesseract does not run ({e})"
    if "vie" not in out.stdout.split():
        return "tesseract has no Vietnamese data: install tesseract-ocr-vie"
    return None


def pdf_pages(data: bytes, pages: list[int], dpi: int = DPI) -> dict[int, str]:
    """The text of the given pages (0-based) of a PDF, recognised by tesseract (Vietnamese)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise OcrError(f"pdfium cannot open it: {e}") from e
    out = {}
    try:
        for i in pages:
            image = pdf[i].render(scale=dpi / 72).to_pil()
            buf = io.BytesIO()
            image.save(buf, format="PNG")
            out[i] = image_text(buf.getvalue())
    finally:
        pdf.close()
    return out


def image_text(png: bytes) -> str:
    try:
        done = subprocess.run(["tesseract", "stdin", "stdout", "-l", "vie"], input=png,
                              capture_output=True, timeout=PAGE_TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        raise OcrError(f"tesseract took over {PAGE_TIMEOUT_S} s on a page") from e
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip()
        raise OcrError(err.splitlines()[-1] if err else f"tesseract exited {done.returncode}")
    return done.stdout.decode("utf-8", "replace")
