"""The REST API (flask-smorest): the shared blueprints, every procedure's, and the docs page."""
from __future__ import annotations

from flask import Blueprint, Flask, send_from_directory

from flask_smorest.arguments import ArgumentsMixin

from ..extensions import csrf
from . import cases, contacts, coverage, health, processes, reference, tasks

# Each schema decides what an unknown field means, in the query string too (webargs would
# drop unknown query parameters): the API's schemas refuse them, so that a misspelt filter
# is answered 422 rather than ignored.
ArgumentsMixin.ARGUMENTS_PARSER.unknown = None


def error_response(status: int, message: str, errors: dict | None = None, headers: dict | None = None):
    """The answer to a refused request: JSON under `/api`, the error page elsewhere."""
    if _is_api():
        body, status = _json_error(status, message, errors)
    else:
        from ..web import error_page

        body, status = error_page(status, message)
    return body, status, headers or {}


def _docs_blueprint() -> Blueprint:
    """Swagger UI from the swagger-ui-bundle package: nothing comes from a CDN."""
    import swagger_ui_bundle

    docs = Blueprint("api_docs", __name__, url_prefix="/api/docs")
    dist = swagger_ui_bundle.swagger_ui_path

    @docs.route("")
    def index():
        return (
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Rabat Process API</title>"
            "<link rel=\"stylesheet\" href=\"/api/docs/static/swagger-ui.css\"></head>"
            "<body><div id=\"swagger-ui\"></div>"
            "<script src=\"/api/docs/static/swagger-ui-bundle.js\"></script>"
            "<script src=\"/api/docs/init.js\"></script></body></html>"
        )

    @docs.route("/init.js")
    def init_js():
        script = "window.ui = SwaggerUIBundle({url: '/api/openapi.json', dom_id: '#swagger-ui'});"
        return script, 200, {"Content-Type": "text/javascript; charset=utf-8"}

    @docs.route("/static/<path:filename>")
    def static(filename):
        return send_from_directory(dist, filename)

    return docs


def register(app: Flask, api, procedures) -> None:
    from flask_smorest.spec.plugins import integerconverter2paramschema

    from forms.labelling import Euros

    from ..input_guard import DatabaseId

    # Before the blueprints: their documentation is written as they are registered.
    api.register_converter(DatabaseId, integerconverter2paramschema)
    api.register_field(Euros, None, None)  # its type is the `oneOf` it documents
    blueprints = [processes.blp, cases.blp, tasks.blp, reference.blp, coverage.blp, health.blp, contacts.blp] + [
        p.api for p in procedures]
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # token-authenticated: no cookies, so no CSRF
    # A header's value is text: the X-Pagination header carries its figures as JSON text.
    api.spec.components.headers["PAGINATION"] = {
        "description": "Pagination metadata, as JSON text: total, total_pages, first_page, last_page, page, "
                       "previous_page, next_page.", "schema": {"type": "string"}}
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    app.register_blueprint(_docs_blueprint())
