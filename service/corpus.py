"""corpus/ files -> Documents whose text is exactly the file's decoded bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from service.errors import CorpusError
from service.records import Document
from service.structure import detect_headings, sections_from_headings, title_from_headings

SUPPORTED = {".txt": "txt", ".md": "md", ".markdown": "md"}
MAX_FILE_BYTES = 20 * 1024 * 1024


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Supported files under `corpus_dir`, sorted, never following a link out of it."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist")
    root = corpus_dir.resolve()
    files = []
    for path in sorted(corpus_dir.rglob("*")):
        if path.suffix.lower() not in SUPPORTED or not path.is_file():
            continue
        if any(part.startswith(".") for part in path.relative_to(corpus_dir).parts):
            continue
        if not path.resolve().is_relative_to(root):
            raise CorpusError(f"{path} links outside the corpus folder {corpus_dir}")
        files.append(path)
    if not files:
        kinds = ", ".join(sorted(SUPPORTED))
        raise CorpusError(f"corpus folder {corpus_dir} has no documents ({kinds})")
    return files


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_document(path: Path, corpus_dir: Path, max_bytes: int = MAX_FILE_BYTES) -> Document:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CorpusError(f"{path} is {size} bytes, over the {max_bytes}-byte limit per file")
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path} is not UTF-8 text (bad byte at offset {exc.start})") from exc
    if not text.strip():
        raise CorpusError(f"{path} is empty")
    kind = SUPPORTED[path.suffix.lower()]
    headings = detect_headings(text, kind)
    doc_id = path.relative_to(corpus_dir).as_posix()
    return Document(
        doc_id=doc_id,
        title=title_from_headings(headings, path.stem),
        source=doc_id,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        sections=sections_from_headings(headings, len(text)),
    )


def load_corpus(corpus_dir: Path) -> list[Document]:
    return [load_document(path, corpus_dir) for path in corpus_files(corpus_dir)]
