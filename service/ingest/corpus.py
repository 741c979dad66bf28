"""corpus/ files -> Documents, through the loader registered for each file's suffix.

A file that cannot be read is named in a message and skipped; the build goes on with the rest
and fails only when no document at all could be read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from service.core.errors import CorpusError
from service.ingest.loaders import Loaded, Loader, Unreadable, loader_for, registry
from service.ingest.ocr import resolve
from service.core.records import Document
from service.text.structure import sections_from_headings, title_from_headings

MAX_FILE_BYTES = 20 * 1024 * 1024
OCR_MEMO = 32  # OCR'd files remembered per process, so an index job does not OCR unchanged scans again
_ocr_memo: dict[tuple[str, str, str], Loaded] = {}


@dataclass(frozen=True)
class CorpusLoad:
    documents: list[Document]
    skipped: list[str] = field(default_factory=list)  # one message per file left out, naming it


def supported_suffixes() -> list[str]:
    return sorted(registry())


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Supported files under `corpus_dir`, sorted; hidden files and folders left out."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist")
    files = []
    for path in sorted(corpus_dir.rglob("*")):
        if loader_for(path.suffix) is None or not path.is_file():
            continue
        if any(part.startswith(".") for part in path.relative_to(corpus_dir).parts):
            continue
        files.append(path)
    if not files:
        kinds = ", ".join(supported_suffixes())
        raise CorpusError(f"corpus folder {corpus_dir} has no documents ({kinds})")
    return files


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_file(path: Path, corpus_dir: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing links out of the corpus folder and files over the limit."""
    if not path.resolve().is_relative_to(corpus_dir.resolve()):
        raise CorpusError(f"{path} links outside the corpus folder {corpus_dir}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CorpusError(f"{path} is {size} bytes, over the {max_bytes}-byte limit per file")
        return path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror or exc}") from exc


def load_document(path: Path, corpus_dir: Path, max_bytes: int = MAX_FILE_BYTES, ocr: str = "auto") -> Document:
    loader = loader_for(path.suffix)
    if loader is None:
        kinds = ", ".join(supported_suffixes())
        raise CorpusError(f"{path} is not a supported kind of document ({kinds})")
    data = read_file(path, corpus_dir, max_bytes)
    return parse_document(path.relative_to(corpus_dir).as_posix(), data, str(path), ocr)


def parse_document(doc_id: str, data: bytes, shown: str | None = None, ocr: str = "auto") -> Document:
    """The Document of one file's bytes, read by the loader of `doc_id`'s suffix; `shown` names
    the file in messages (default: `doc_id`); `ocr` is the OCR mode for scanned pages (ocr.MODES)."""
    shown = shown or doc_id
    loader = loader_for(Path(doc_id).suffix)
    if loader is None:
        kinds = ", ".join(supported_suffixes())
        raise CorpusError(f"{shown} is not a supported kind of document ({kinds})")
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        loaded = _load(loader, data, sha256, ocr)
    except Unreadable as exc:
        raise CorpusError(f"{shown} {exc}") from exc
    except Exception as exc:  # parsers of corrupt files raise anything; name the file, keep going
        raise CorpusError(f"{shown} cannot be read as {loader.kind.upper()}: {type(exc).__name__}: {exc}") from exc
    text = loaded.text
    if not text.strip():
        raise CorpusError(f"{shown} is empty")
    headings = list(loaded.headings)
    return Document(
        doc_id=doc_id,
        title=loaded.title or title_from_headings(headings, Path(doc_id).stem),
        source=doc_id,
        text=text,
        sha256=sha256,
        sections=sections_from_headings(headings, len(text)),
        pages=loaded.pages,
        ocr_pages=loaded.ocr_pages,
    )


def _load(loader: Loader, data: bytes, sha256: str, ocr: str) -> Loaded:
    """The loader's reading of `data`; a file read by OCR is remembered by its hash (OCR takes seconds a page)."""
    if not getattr(loader, "reads_scans", False):
        return loader.load(data)
    key = (sha256, loader.kind, ocr)
    if key in _ocr_memo:
        return _ocr_memo[key]
    loaded = loader.load(data, ocr=resolve(ocr))
    if loaded.ocr_pages:
        if len(_ocr_memo) >= OCR_MEMO:
            _ocr_memo.pop(next(iter(_ocr_memo)))
        _ocr_memo[key] = loaded
    return loaded


def read_corpus(corpus_dir: Path, max_bytes: int = MAX_FILE_BYTES, ocr: str = "auto") -> CorpusLoad:
    """Every readable document, and a message for each file left out.

    Raises CorpusError when no document could be read at all."""
    docs: list[Document] = []
    skipped: list[str] = []
    for path in corpus_files(corpus_dir):
        try:
            docs.append(load_document(path, corpus_dir, max_bytes, ocr))
        except CorpusError as exc:
            skipped.append(str(exc))
    if not docs:
        raise CorpusError(f"nothing to index in {corpus_dir}: " + "; ".join(skipped))
    return CorpusLoad(docs, skipped)


def load_corpus(corpus_dir: Path) -> list[Document]:
    """The readable documents (see read_corpus for the files left out)."""
    return read_corpus(corpus_dir).documents
