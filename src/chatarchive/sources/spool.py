"""Temporary files that downloads and stdin are streamed into: hashed, size-capped, gunzipped."""

from __future__ import annotations

import hashlib
import tempfile
import zlib
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, cast

from ..errors import SourceError

CHUNK = 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
SPOOL = Path(tempfile.gettempdir()) / "chatarchive"


class Spool:
    """A temporary file being written chunk by chunk.

    Content that starts with the gzip magic bytes is decompressed on the way in (when ``gunzip``),
    so a ``.gz`` export lands on disk as the export itself. ``max_bytes`` caps what is written
    (after decompression, so a small bomb cannot fill the disk). Used as a context manager, an
    exception deletes the partial file: nothing half-written is ever returned.
    """

    def __init__(
        self, origin: str, stem: str, max_bytes: int | None = None, gunzip: bool = True,
    ) -> None:
        self.origin = origin
        self.max_bytes = max_bytes
        self.size = 0
        self.gzipped = False
        self._undecided = gunzip  # gzip or not is told by the first two bytes
        self._head = b""  # the first bytes, held until gzip can be told from plain content
        self._inflater: zlib._Decompress | None = None
        self._member_start = True
        self._digest = hashlib.sha256()
        SPOOL.mkdir(parents=True, exist_ok=True)
        # Closed by close() or abort(); the file must outlive this object (delete=False).
        self._file = cast(BinaryIO, tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix=f"{stem}-", dir=SPOOL, delete=False))
        self.path = Path(self._file.name)

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is not None:
            self.abort()

    def write(self, chunk: bytes) -> None:
        """Add a chunk of the body."""
        if self._undecided:
            self._head += chunk
            if len(self._head) < len(GZIP_MAGIC):
                return
            chunk, self._head, self._undecided = self._head, b"", False
            if chunk.startswith(GZIP_MAGIC):
                self.gzipped = True
                self._inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        if self._inflater is not None:
            self._inflater = self._inflate(self._inflater, chunk)
        else:
            self._emit(chunk)

    def close(self) -> tuple[Path, str]:
        """Finish the file; return its path and the SHA-256 of its content."""
        try:
            if self._head:
                self._emit(self._head)
            if self._inflater is not None:
                self._emit(self._inflater.flush())
                if not self._member_start and not self._inflater.eof:
                    raise SourceError(self.origin, "the gzip content ends early (a cut-short"
                                      " .gz file); fetch it again or re-export it")
        except BaseException:
            self.abort()
            raise
        self._file.close()
        return self.path, self._digest.hexdigest()

    def abort(self) -> None:
        """Close and delete the partial file."""
        self._file.close()
        self.path.unlink(missing_ok=True)

    def _inflate(self, inflater: zlib._Decompress, data: bytes) -> zlib._Decompress:
        try:
            while data:
                if self._member_start:
                    data = data.lstrip(b"\x00")  # gzip tolerates zero padding after a member
                    if not data:
                        break
                    self._member_start = False
                # max_length bounds memory: a small compressed chunk can expand a thousandfold.
                self._emit(inflater.decompress(data, CHUNK))
                data = inflater.unconsumed_tail
                if inflater.eof:
                    # Concatenated .gz files are one valid gzip stream: go on with the next member.
                    data = inflater.unused_data
                    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                    self._member_start = True
        except zlib.error as error:
            raise SourceError(self.origin, f"the content starts like gzip but cannot be"
                              f" decompressed ({error})") from error
        return inflater

    def _emit(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise SourceError(self.origin, f"the download is larger than the limit of"
                              f" {self.max_bytes} bytes (max_bytes); raise the limit to allow it")
        self._digest.update(data)
        self._file.write(data)
