"""Reading the parts of an uploaded workbook within bounds: bytes per part, length of any XML token, and time.

A workbook is a ZIP of XML parts. Three things let a small upload stall a service, and each is bounded here while the
bytes are read, whatever the ZIP headers claim:
- a part that inflates to far more than a sheet holds (a per-part limit on the bytes actually inflated);
- one very long XML token (a comment, a tag): the expat parser before 2.6 reads an unfinished token again from its
  start at every 16 KB it is fed, so a token of n bytes costs n²; no real part has a token over a few hundred KB;
- a slow read as a whole: a deadline, and a flag another thread sets to cancel the read.
"""

from __future__ import annotations

import io
import re
import threading
import time
import zipfile
from typing import IO

from shared.errors import UploadError

_CHUNK = 64 * 1024  # bytes inflated per read, so the deadline and the cancel flag are checked often
_SPECIAL = re.compile(rb"<[!?]")  # comments, CDATA, processing instructions, declarations
_CLASSIFY = 9  # len(b"<![CDATA[")


class WorkbookRefused(UploadError):
    """The workbook is outside what the platform reads (400); str(error) is a short English message."""

    status_code = 400


class WorkbookTooSlow(WorkbookRefused):
    """Reading took longer than its budget (422: the file is readable in Excel, just too much to take at once)."""

    status_code = 422


class ReadCancelled(WorkbookRefused):
    """The read was cancelled (the request went away, or the server is stopping)."""


class Budget:
    """When a read must stop: at a deadline, or once `stop` is set by another thread."""

    def __init__(self, seconds: float, stop: threading.Event | None = None) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.stop = stop or threading.Event()

    def check(self) -> None:
        if self.stop.is_set():
            raise ReadCancelled("the upload was cancelled")
        if time.monotonic() > self.deadline:
            raise WorkbookTooSlow(f"the workbook took more than {self.seconds:g} seconds to read; "
                                  "split it into smaller files", zh="文件太大，读取超时，请分成几个文件上传")


class GuardedArchive(zipfile.ZipFile):
    """A ZIP whose parts are read through `GuardedPart`: every reader of the workbook gets the same bounds."""

    def __init__(self, file: io.BytesIO, *, part_limit: int, token_limit: int, budget: Budget) -> None:
        super().__init__(file)
        self.part_limit, self.token_limit, self.budget = part_limit, token_limit, budget

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):  # noqa: A003 - ZipFile's own name
        raw = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return raw
        part = name.filename if isinstance(name, zipfile.ZipInfo) else name
        return GuardedPart(raw, name=part, limit=self.part_limit, token_limit=self.token_limit, budget=self.budget)


class GuardedPart(io.RawIOBase):
    """One part as it inflates: refused past `limit` bytes, or at an XML token over `token_limit` bytes."""

    def __init__(self, raw: IO[bytes], *, name: str, limit: int, token_limit: int, budget: Budget) -> None:
        super().__init__()
        self._raw, self._name, self._limit, self._budget = raw, name, limit, budget
        self._seen = 0
        self._tokens = TokenScan(token_limit) if name.endswith((".xml", ".rels")) else None

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(_CHUNK), b""))
        self._budget.check()
        data = self._raw.read(min(size, _CHUNK))
        self._seen += len(data)
        if self._seen > self._limit:
            raise WorkbookRefused(f"a part of the workbook ({self._name}) unpacks to more than "
                                  f"{self._limit >> 20} MB; save it again in Excel or split it")
        if self._tokens is not None:
            self._tokens.feed(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


class TokenScan:
    """Refuses XML in which any one token is longer than `limit` bytes, in one pass, a chunk at a time.

    Two rules, both cheap (C-speed searches, constant Python work per chunk and per comment):
    - between two `<` there are at most `limit` bytes: this bounds every tag (an attribute value may hold `>` but
      never `<`), entity reference and run of text;
    - a comment, CDATA section or processing instruction ends within `limit` bytes of its start (they may hold `<`).
    A document type declaration (never in a workbook; the door to entity expansion) and UTF-16 text (whose `<!` this
    scan would not see) are refused outright.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._fed = 0  # bytes fed so far
        self._last_lt = 0  # offset of the last `<` seen
        self._tail = b""  # the end of the last chunk, not yet classified
        self._closing: bytes | None = None  # the end of the comment/CDATA/PI we are in
        self._opened_at = 0

    def feed(self, chunk: bytes) -> None:
        for start in range(0, len(chunk), self.limit):  # a piece never holds a whole gap, so its ends suffice
            self._feed(chunk[start:start + self.limit])

    def _feed(self, chunk: bytes) -> None:
        if b"\x00" in chunk or (self._fed == 0 and chunk.startswith((b"\xff\xfe", b"\xfe\xff"))):
            raise WorkbookRefused("the workbook holds text in an encoding Excel does not write; save it again in Excel")
        first = chunk.find(b"<")
        if (self._fed + (first if first >= 0 else len(chunk))) - self._last_lt > self.limit:
            raise self._too_long()
        if first >= 0:
            self._last_lt = self._fed + chunk.rfind(b"<")
        buffer = self._tail + chunk
        base = self._fed - len(self._tail)
        self._fed += len(chunk)
        keep = self._special(buffer, base)
        self._tail = buffer[keep:]

    def _special(self, buffer: bytes, base: int) -> int:
        """Follow comments, CDATA and PIs through the buffer; the offset from which to keep it for the next chunk."""
        at = 0
        while True:
            if self._closing is not None:
                end = buffer.find(self._closing, at)
                if end < 0:
                    if base + len(buffer) - self._opened_at > self.limit:
                        raise self._too_long()
                    return max(at, len(buffer) - len(self._closing) + 1)
                at = end + len(self._closing)
                self._closing = None
                continue
            found = _SPECIAL.search(buffer, at)
            if found is None:
                return len(buffer) - 1 if buffer.endswith(b"<") else len(buffer)
            start = found.start()
            head = buffer[start:start + _CLASSIFY]
            if head.startswith(b"<!--"):
                self._closing, at = b"-->", start + 4
            elif head.startswith(b"<?"):
                self._closing, at = b"?>", start + 2
            elif head == b"<![CDATA[":
                self._closing, at = b"]]>", start + _CLASSIFY
            elif len(head) < _CLASSIFY:
                return start  # cut at the chunk's end: decide with the next one
            else:
                raise WorkbookRefused("the workbook holds a document type declaration; save it again in Excel")
            self._opened_at = base + start

    def _too_long(self) -> WorkbookRefused:
        return WorkbookRefused(f"the workbook holds a block of more than {self.limit >> 10} KB with no cell in it "
                               "(hidden text, not data); save it again in Excel",
                               zh="文件里有大段隐藏内容，不是表格数据，请在 Excel 中重新保存后上传")
