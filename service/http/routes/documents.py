"""GET /v1/documents and GET /v1/documents/{doc_id}."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.core.errors import NotFound
from service.http.deps import GET_RESPONSES, EngineDep
from service.http.middleware import ErrorOut
from service.http.document_facts import indexed_at, passage_counts
from service.http.schemas import DocumentList, DocumentOut, document_out, document_summary

router = APIRouter(tags=["documents"])


@router.get("/v1/documents", response_model=DocumentList, responses=GET_RESPONSES)
def documents(engine: EngineDep, request: Request) -> DocumentList:
    """Every document with its passage count and when it was indexed."""
    counts = passage_counts(engine.index)
    added = indexed_at(getattr(request.app.state, "jobs", None), engine.index.manifest)
    docs = [document_summary(d).model_copy(update={"passages": counts.get(d.doc_id, 0),
                                                   "indexed_at": added(d.doc_id, d.sha256)})
            for d in engine.index.document_list()]
    return DocumentList(documents=docs, index_version=engine.version)


@router.get("/v1/documents/{doc_id:path}", response_model=DocumentOut,
            responses={**GET_RESPONSES, 404: {"model": ErrorOut, "description": "No such document."}})
def document(doc_id: str, engine: EngineDep) -> DocumentOut:
    """One document with its full text; the X-Index-Version header names the build it came from."""
    doc = engine.index.document(doc_id)
    if doc is None:
        raise NotFound(f"no document {doc_id!r}; GET /v1/documents lists them")
    return document_out(doc)
