"""Records and texts as the store keeps them: zstd with a dictionary per table.

A table's dictionary is made once per store from its first records (``train``) and kept in the
``dictionaries`` table, so that later builds and every reader use the same one; a compressed
record names its dictionary (``Codec``), so any reader finds the one it needs (``learn``).
``encode``/``decode`` are the one place that writes or reads a row's ``rec``; ``pack_text`` /
``unpack_text`` a document's normalized text (``sources.text``). A record of a table in
``QUOTED`` keeps its quote as a place in its document's text (``elide``), which ``decode`` reads
back.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import threading
import zlib
from contextlib import suppress
from pathlib import Path
from typing import Any

import orjson
import zstandard

_Z = b"\x01"  # a compressed record's first byte (a JSON record's is "{")
DICTIONARY_BYTES = 32_768  # a table's dictionary at most
TRAIN_DOCUMENTS = 32  # the documents a new store's dictionaries are made from (``spread``)
# zstd's level 3 (its default): ~3 µs a record against deflate's ~20 µs (the build compresses
# ~1.7 million records at 10k), records ~10-20 % larger than level 6's (benchmarks: docs/performance.md)
LEVEL = 3


# a zstd frame without its magic number (``_Z`` tells a compressed record already): 4 bytes of
# each of ~1.2 million records at 10,000 realistic documents. A frame of layout 16 or before
# begins with ``_MAGIC``; one without never does (its first byte would set a reserved bit)
_MAGIC = b"\x28\xb5\x2f\xfd"
_PARAMS = zstandard.ZstdCompressionParameters.from_level(
    LEVEL, format=zstandard.FORMAT_ZSTD1_MAGICLESS, write_content_size=True, write_checksum=False,
    write_dict_id=False)


class Codec:
    """One table's dictionary: records compressed with it, and back. A compressed record is
    ``_Z``, the dictionary's CRC-32 (4 bytes: any reader finds the dictionary it needs), then a
    zstd frame without magic number (with its content size, without dictionary id or checksum;
    a record of layout 16 or before: with its magic number)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.key = zlib.crc32(data).to_bytes(4, "big")
        self._dict = zstandard.ZstdCompressionDict(data)  # a trained dictionary, or raw content
        self._local = threading.local()  # zstd's (de)compressors are not for two threads at once
        self._prepared = threading.Lock()  # taken until the dictionary is ready to compress with
        self._compressing = False

    def pack(self, raw: bytes) -> bytes:
        c = getattr(self._local, "c", None)
        if c is None:
            with self._prepared:  # readers never compress: only writers pay for this (~0.1 ms)
                if not self._compressing:
                    self._dict.precompute_compress(compression_params=_PARAMS)
                    self._compressing = True
            c = self._local.c = zstandard.ZstdCompressor(dict_data=self._dict, compression_params=_PARAMS)
        return _Z + self.key + c.compress(raw)

    def pack_rows(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Rows whose last value is a record's JSON, that record compressed."""
        return [(*row[:-1], self.pack(row[-1])) for row in rows]

    def unpack(self, blob: bytes) -> bytes:
        d = getattr(self._local, "d", None)
        if d is None:
            d = self._local.d = zstandard.ZstdDecompressor(dict_data=self._dict,
                                                           format=zstandard.FORMAT_ZSTD1_MAGICLESS)
        if blob[5:9] == _MAGIC:
            return self._framed(blob)
        return d.decompress(blob[5:])

    def _framed(self, blob: bytes) -> bytes:
        """A record of layout 16 or before (its frame with its magic number)."""
        d = getattr(self._local, "framed", None)
        if d is None:
            d = self._local.framed = zstandard.ZstdDecompressor(dict_data=self._dict)
        return d.decompress(blob[5:])


_KNOWN: dict[bytes, Codec] = {}  # every dictionary read in this process, by its key
# the connection last written through and its codecs by table (one tuple, replaced whole:
# threads writing through two connections never read each other's)
_WRITING: tuple[sqlite3.Connection | None, dict[str, Codec]] = (None, {})




def make_dictionary(samples: list[bytes]) -> bytes:
    """A dictionary from sample records: zstd's trainer, or (too few samples for it) records
    taken evenly across the samples, the last ones nearest the data."""
    with suppress(zstandard.ZstdError):
        return zstandard.train_dictionary(DICTIONARY_BYTES, samples).as_bytes()
    every = max(1, -(-sum(map(len, samples)) // DICTIONARY_BYTES))  # so that ~32 KB are picked
    return b"".join(samples[::every])[-DICTIONARY_BYTES:]


def spread(n: int, k: int = TRAIN_DOCUMENTS) -> list[int]:
    """The places of ``n`` documents in the order a new store reads them: ``k`` evenly spread
    over the list first (the dictionaries are made from them), then the others in order.
    Files listed by name come in runs of one kind, one province, one source: a store's first
    32 files can be variants of one document (realistic 10k, families left out of both samples:
    a dictionary from 32 spread documents makes their records 40-55 % smaller than one from
    the first 32; benchmarks: docs/performance.md)."""
    first = sorted({i * n // k for i in range(k)}) if n > k else list(range(n))
    taken = set(first)
    return first + [i for i in range(n) if i not in taken]


def learn(conn: sqlite3.Connection) -> dict[str, Codec]:
    """The database's dictionaries by table (each also known to ``decode`` from then on)."""
    out = {}
    for name, data in conn.execute("SELECT name, data FROM dictionaries"):
        codec = Codec(data)
        out[name] = _KNOWN.setdefault(codec.key, codec)
    return out


def _codecs(conn: sqlite3.Connection) -> dict[str, Codec]:
    global _WRITING
    held, codecs = _WRITING
    if held is not conn:
        codecs = learn(conn)
        _WRITING = (conn, codecs)
    return codecs


def forget(conn: sqlite3.Connection) -> None:
    """Drop what is kept of a connection's dictionaries (its transaction rolled back)."""
    global _WRITING
    if _WRITING[0] is conn:
        _WRITING = (None, {})


def train(conn: sqlite3.Connection, table: str, samples: list[bytes]) -> None:
    """Make and keep a table's dictionary from sample records, unless it has one (or no
    samples): the caller holds the write transaction."""
    codecs = _codecs(conn)
    if table in codecs or not samples:
        return
    codec = Codec(make_dictionary(samples))
    conn.execute("INSERT INTO dictionaries (name, data) VALUES (?, ?)", (table, codec.data))
    codecs[table] = _KNOWN.setdefault(codec.key, codec)


def untrained(conn: sqlite3.Connection, tables: tuple[str, ...]) -> list[str]:
    """Those of ``tables`` that have no dictionary yet."""
    codecs = _codecs(conn)
    return [t for t in tables if t not in codecs]


def compress_stored(conn: sqlite3.Connection, table: str, key: tuple[str, ...] = ("rowid",)) -> None:
    """Compress the records of ``table`` (its ``rec`` column; its rows told apart by ``key``)
    stored before it had its dictionary: the caller holds the write transaction."""
    codec, cols = _codecs(conn)[table], ", ".join(key)
    rows = conn.execute(f"SELECT rec, {cols} FROM {table} WHERE substr(rec, 1, 1) <> ?", (_Z,)).fetchall()
    conn.executemany(f"UPDATE {table} SET rec = ? WHERE " + " AND ".join(f"{k} = ?" for k in key),
                     ((codec.pack(rec), *at) for rec, *at in rows))


def pack(conn: sqlite3.Connection, table: str, raw: bytes) -> bytes:
    """A record's JSON as stored in ``table`` (compressed when the table has a dictionary); a
    record a build's worker compressed already (``shared``) as it is."""
    codec = _codecs(conn).get(table)
    return codec.pack(raw) if codec and raw[:1] != _Z else raw


def share(conn: sqlite3.Connection, path: Path, tables: tuple[str, ...]) -> None:
    """Write the dictionaries of ``tables`` to ``path`` for a build's workers, which then
    compress the records they send (``shared``): compressed beside the extraction they follow,
    not in the build's process between the workers' turns on the cores. A file that cannot be
    written is not shared (the build compresses every record itself, as before)."""
    tmp = path.with_name(path.name + ".tmp")
    codecs = _codecs(conn)
    data = {name: base64.b64encode(codecs[name].data).decode() for name in tables if name in codecs}
    try:
        tmp.write_bytes(orjson.dumps(data))
        os.replace(tmp, path)  # (whole or not there: a worker may look at any moment)
    except OSError:
        tmp.unlink(missing_ok=True)


# the dictionaries a build shared, as its worker read them, by the file's path and stamp (one
# build's: a process extracting for build after build, as a server's does, holds only the last
# one's; a build shares again when it makes a dictionary later: ``Writer.late``)
_SHARED: tuple[tuple[Path, int, int, int] | None, dict[str, Codec]] = (None, {})


def shared(path: Path) -> dict[str, Codec] | None:
    """The dictionaries a build wrote to ``path`` (``share``), or None while it has not."""
    global _SHARED
    try:
        st = path.stat()
        # (replaced whole, each time with one more dictionary: another file, larger)
        stamp = (path, st.st_ino, st.st_mtime_ns, st.st_size)
        if _SHARED[0] != stamp:
            data = orjson.loads(path.read_bytes())
            codecs = (Codec(base64.b64decode(b)) for b in data.values())
            _SHARED = (stamp, dict(zip(data, (_KNOWN.setdefault(c.key, c) for c in codecs), strict=True)))
    except FileNotFoundError:
        return None
    return _SHARED[1]


def encode(conn: sqlite3.Connection, table: str, rec: dict[str, Any]) -> bytes:
    """A record as stored in ``table``."""
    return pack(conn, table, orjson.dumps(rec))


def unpack(blob: bytes, conn: sqlite3.Connection | None = None) -> bytes:
    """A stored record's JSON. ``conn``: where to read a dictionary not yet known (without
    one, ``LookupError``)."""
    if blob[:1] != _Z:
        return blob
    codec = _KNOWN.get(blob[1:5])
    if codec is None:
        if conn is None:
            raise LookupError("record of an unknown dictionary")
        learn(conn)
        codec = _KNOWN[blob[1:5]]
    return codec.unpack(blob)


def decode(blob: bytes, conn: sqlite3.Connection | None = None) -> dict[str, Any]:
    """A stored record (every reader of ``rec`` goes through here). ``conn``: where to read a
    dictionary, or a document's text, not yet known (without one, ``LookupError``)."""
    rec = orjson.loads(unpack(blob, conn))
    return _restored(rec, conn) if type(rec) is dict and _ELIDED in rec else rec


# the tables whose records keep their quote as the span of their document's text it is, not
# twice (``elide``): a task's, a responsibility's and a target's quote is its sentence (1,000
# realistic documents: their records 30.3 → 11.8 MB); a record read back reads its document's
# text once (~0.1 ms, then kept: ``_Texts``)
QUOTED = ("tasks", "responsibilities", "targets")
_ELIDED = "~"  # a record's last field when ``elide`` made it: its text's key (``text_key``)


def text_key(raw: bytes) -> int:
    """What tells a version of a document's normalized text (``raw``: its UTF-8) from another:
    its length and CRC-32 (a cryptographic hash took ~5x as long to check, where a text read
    back is checked: ~0.4 s of a 10,000-document build's findings)."""
    return len(raw) << 32 | zlib.crc32(raw)


def elide(rec: dict[str, Any], doc: str, text: str, key: int) -> dict[str, Any]:
    """``rec`` as stored when its provenance quotes ``doc``'s ``text`` (whose ``text_key`` is
    ``key``) at its span: the quote 0, each field of ``FROM_QUOTE`` that is the quote or a part
    of it as such (``_from_quote``), ``key`` last (field order kept: the export writes records
    as read). Else ``rec`` itself."""
    p = rec.get("provenance")
    if type(p) is not dict or p.get("document") != doc:
        return rec
    quote, start, end = p.get("quote"), p.get("start"), p.get("end")
    if not (quote and type(start) is int and type(end) is int and text[start:end] == quote):
        return rec
    out = rec.copy()
    for field in FROM_QUOTE:
        value = rec.get(field)
        if type(value) is str:
            out[field] = _from_quote(value, quote)
        elif value is not None:  # (it would read as a part of the quote)
            return rec
    out["provenance"] = {**p, "quote": 0}
    out[_ELIDED] = key
    return out


# a record's fields made of its quote: a task's text is its sentence, its title that sentence's
# first words (shortened with ``TITLE_ENDS``); a target's text a part of its sentence
FROM_QUOTE = ("text", "title")
TITLE_ENDS = (" …",)  # what ends a shortened title, after the words it keeps


def _from_quote(value: str, quote: str) -> str | int | list[int | str]:
    """How a field is stored of its record's quote: 0 when it is the quote, ``[i, j]`` when it
    is ``quote[i:j]``, ``[i, j, end]`` when it is that and one of ``TITLE_ENDS``; else itself."""
    if value == quote:
        return 0
    for end in ("", *TITLE_ENDS):
        if value.endswith(end):
            at = quote.find(value[:len(value) - len(end)])
            if at >= 0:
                part: list[int | str] = [at, at + len(value) - len(end)]
                return [*part, end] if end else part
    return value


def _restored(rec: dict[str, Any], conn: sqlite3.Connection | None) -> dict[str, Any]:
    """A record ``elide`` made, as it was."""
    p = rec["provenance"]
    p["quote"] = quote = _TEXTS.text(conn, p["document"], rec.pop(_ELIDED))[p["start"]:p["end"]]
    for field in FROM_QUOTE:
        value = rec.get(field)
        if value == 0:
            rec[field] = quote
        elif isinstance(value, list):
            rec[field] = quote[value[0]:value[1]] + (value[2] if len(value) > 2 else "")
    return rec


class _Texts:
    """Documents' texts read for their records' quotes, the last read kept (up to ``CHARS``
    characters in all, the first read going first: a document's records are read together).
    Kept by text key: a text read once serves every later read of the same version, in any
    transaction, and never another version's."""

    # (~16 MB: the texts of a page of answers from hundreds of documents; a build's findings
    # read each document's records twice, thousands of documents apart, which 4 to 32 million
    # characters all missed alike at 10,000 generated documents)
    CHARS = 8_000_000

    def __init__(self) -> None:
        self._held: dict[tuple[str, int], str] = {}  # (first read first)
        self._chars = 0
        self._lock = threading.Lock()

    def text(self, conn: sqlite3.Connection | None, doc: str, key: int) -> str:
        text = self._held.get((doc, key))  # (one dict read, atomic: no lock where most reads end)
        if text is not None:
            return text
        if conn is None:
            raise LookupError(f"{doc}: a record quoting the document's text, read without its store")
        row = conn.execute("SELECT text FROM sources WHERE doc = ?", (doc,)).fetchone()
        raw = _text_bytes(row[0], conn) if row else None
        if raw is None or text_key(raw) != key:
            raise LookupError(f"{doc}: a record quoting a version of the document's text the store "
                              "does not hold (rebuilt since the record was read, or damaged: cchc rebuild)")
        text = raw.decode()
        with self._lock:
            if (doc, key) not in self._held:
                self._held[doc, key] = text
                self._chars += len(text)
            while self._chars > self.CHARS and len(self._held) > 1:
                self._chars -= len(self._held.pop(next(iter(self._held))))
        return text


_TEXTS = _Texts()


_TEXT = threading.local()  # this thread's compressor of texts (a zstd context is for one thread)
# the dictionary of the documents' texts (``sources.text``), made from a new store's first
# documents: the boilerplate of administrative documents (headings, "Căn cứ" lines, signature
# blocks) is written once for the store (realdev, trained on half, the other half: -16 %)
TEXTS = "texts"


def pack_text(text: str, conn: sqlite3.Connection | None = None) -> bytes:
    """A document's normalized text as ``sources`` keeps it: compressed with the texts'
    dictionary when ``conn``'s store has one, else a zstd frame of its own (layout 10's, the
    step from layout 8's)."""
    raw = text.encode()
    codec = _codecs(conn).get(TEXTS) if conn is not None else None
    if codec:
        return codec.pack(raw)
    c = getattr(_TEXT, "c", None)
    if c is None:
        c = _TEXT.c = zstandard.ZstdCompressor(LEVEL, write_checksum=False)
    return c.compress(raw)


def unpack_text(blob: bytes, conn: sqlite3.Connection | None = None) -> str:
    """The text ``pack_text`` stored (``zstandard.ZstdError`` or ``UnicodeDecodeError`` when
    the bytes are not one; ``LookupError`` when its dictionary is unknown and no ``conn``)."""
    return _text_bytes(blob, conn).decode()


def _text_bytes(blob: bytes, conn: sqlite3.Connection | None) -> bytes:
    """``unpack_text``'s UTF-8."""
    if blob[:1] == _Z:
        return unpack(blob, conn)
    d = getattr(_TEXT, "d", None)
    if d is None:
        d = _TEXT.d = zstandard.ZstdDecompressor()
    return d.decompress(blob)
