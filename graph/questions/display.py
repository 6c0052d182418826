"""How answers show a long text: on one line, cut at a word (the index, the suggestions and
the pages all show names and titles this way)."""

from __future__ import annotations


def short(text: str, width: int = 90) -> str:
    """One line of at most about ``width`` characters, cut at a word."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + " …"
