"""One router per resource; `api_router` assembles them (the LLM routes are installed with their client)."""

from fastapi import APIRouter

from service.http.routes import changes, documents, operations, questions

api_router = APIRouter()
for _module in (questions, documents, changes, operations):
    api_router.include_router(_module.router)
