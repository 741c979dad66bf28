"""The browser side: the question page at GET /, its static files, and an offline /docs (Swagger UI).

Everything is served by the app itself, so the page and the API docs work on a machine with no internet.
Swagger UI's files come from the `fastapi-offline` package (installed as a dependency); nothing loads a CDN.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
SWAGGER_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
DOCS_URL = "/docs"
DOCS_ASSETS = "/docs-assets"


def _page_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=FileResponse)
    def page() -> FileResponse:
        """The question page: ask, read the answer, check each cited passage in its document."""
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")

    return router


def _docs_router(app: FastAPI) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    redirect = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @router.get(DOCS_URL, response_class=HTMLResponse)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} - API docs",
            oauth2_redirect_url=f"{root}{redirect}",
            swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    @router.get(redirect, response_class=HTMLResponse)
    def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    return router


def install_web(app: FastAPI) -> None:
    """Add the page, its static files and offline API docs to `app` (create it with docs_url=None)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(DOCS_ASSETS, StaticFiles(directory=SWAGGER_DIR), name="docs-assets")
    app.include_router(_page_router())
    app.include_router(_docs_router(app))
