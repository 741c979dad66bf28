"""Checks on an uploaded file before it may enter the corpus: a safe plain name, a supported kind
whose bytes are what the name says, not empty, not over the limit, and (DOCX) not a zip bomb.

Each refusal is an `UploadRefused` carrying the HTTP status an API answers with and one sentence
saying what is wrong with which file."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import PurePosixPath, PureWindowsPath

from service.core.errors import BriefqaError
from service.ingest.loaders import loader_for, registry

MAX_NAME_BYTES = 255
DOCX_MAX_UNZIPPED = 256 * 1024 * 1024  # a real Word file unzips to a few times its size
DOCX_MAX_RATIO = 200
DOCX_MAX_ENTRIES = 10_000


class UploadRefused(BriefqaError):
    """An upload that cannot be accepted; nothing was stored."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


def _shown(name: str) -> str:
    return ascii(name[:120])


def check_name(name: str) -> str:
    """`name` when it is a plain file name that stays in the corpus folder; refused otherwise."""
    if not name or not name.strip():
        raise UploadRefused(400, "the file has no name; send it with a filename")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in name):
        raise UploadRefused(400, f"file name {_shown(name)} holds control characters; rename the file")
    if "/" in name or "\\" in name or PureWindowsPath(name).drive or PurePosixPath(name).is_absolute():
        raise UploadRefused(400, f"file name {_shown(name)} holds a path; send a plain name such as brief.pdf")
    if name in (".", "..") or name.startswith(".") or name != name.strip():
        raise UploadRefused(400, f"file name {_shown(name)} starts with a dot or blank, or is blank at the end; rename it")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise UploadRefused(400, f"file name {_shown(name)} is over {MAX_NAME_BYTES} bytes long")
    if loader_for(PurePosixPath(name).suffix) is None:
        kinds = ", ".join(sorted(registry()))
        raise UploadRefused(415, f"{_shown(name)} is not a supported kind of document ({kinds})")
    return name


IMAGE_MAGIC = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
               ".tif": (b"II*\x00", b"MM\x00*"), ".tiff": (b"II*\x00", b"MM\x00*")}


def _sniff_error(suffix: str, data: bytes) -> str | None:
    """Why `data` is not a file of kind `suffix`, or None when it looks right."""
    head = data[:1024]
    if suffix in IMAGE_MAGIC:
        return None if data.startswith(IMAGE_MAGIC[suffix]) else f"does not start like a {suffix[1:].upper()} image"
    if suffix == ".pdf":
        return None if b"%PDF-" in head else "does not start like a PDF (no %PDF- header)"
    if suffix == ".docx":
        return None if data[:4] == b"PK\x03\x04" else "is not a DOCX (not a zip archive)"
    if data.startswith((b"%PDF-", b"PK\x03\x04")) or b"\x00" in data:
        return "is binary, not text"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"is not UTF-8 text (bad byte at offset {exc.start})"
    return None


def _check_docx(name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UploadRefused(415, f"{_shown(name)} is not a readable DOCX ({exc})") from exc
    if len(infos) > DOCX_MAX_ENTRIES:
        raise UploadRefused(413, f"{_shown(name)} holds {len(infos)} zip entries, more than a Word file has")
    unzipped = sum(i.file_size for i in infos)
    if unzipped > DOCX_MAX_UNZIPPED or unzipped > DOCX_MAX_RATIO * max(len(data), 1):
        raise UploadRefused(413, f"{_shown(name)} unzips to {unzipped} bytes from {len(data)}: "
                                 "a zip bomb, not a Word document")
    if not any(i.filename == "word/document.xml" for i in infos):
        raise UploadRefused(415, f"{_shown(name)} is a zip archive without word/document.xml, not a DOCX")


def check_upload(name: str, data: bytes, max_bytes: int) -> None:
    """Refuse a file that must not enter the corpus (UploadRefused says why)."""
    check_name(name)
    if not data:
        raise UploadRefused(400, f"{_shown(name)} is empty")
    if len(data) > max_bytes:
        raise UploadRefused(413, f"{_shown(name)} is {len(data)} bytes, over the {max_bytes}-byte upload limit "
                                 "(BRIEFQA_MAX_UPLOAD_BYTES)")
    suffix = PurePosixPath(name).suffix.lower()
    why = _sniff_error(suffix, data)
    if why:
        raise UploadRefused(415, f"{_shown(name)} {why}; its content does not match its {suffix} name")
    if suffix == ".docx":
        _check_docx(name, data)
    if suffix in IMAGE_MAGIC:
        _check_image(name, data)


def _check_image(name: str, data: bytes) -> None:
    """A corrupt or truncated image is refused now (415), not found unreadable by the index job."""
    from service.ingest.loaders.base import Unreadable
    from service.ingest.loaders.image import open_image

    try:
        open_image(data)
    except Unreadable as exc:
        raise UploadRefused(415, f"{_shown(name)} {exc}") from exc
