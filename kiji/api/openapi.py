"""The API's OpenAPI 3.1 description, written by hand as a dict and served at /api/v1/openapi.json.

Hand-written on purpose: five read-only endpoints don't justify a schema generator dependency, and
the tests hold the views to this document (schemathesis), so the two cannot drift apart silently.
Objects are closed (additionalProperties: false): a field the views start leaking fails the tests.
"""

from django.conf import settings

from kiji.search.backends import CANDIDATES

_NULLABLE_STRING = {"type": ["string", "null"]}
_DATETIME = {"type": "string", "format": "date-time", "description": "ISO 8601 with the JST offset (+09:00)"}
_URL = {"type": "string", "format": "uri"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _closed(properties: dict, required: list[str] | None = None) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "required": required if required is not None else list(properties),
    }


_LINK = _closed({"slug": {"type": "string"}, "name": {"type": "string"}, "url": _URL})

_IMAGE = _closed(
    {
        "url": _URL,
        "width": {"type": "integer", "minimum": 0},
        "height": {"type": "integer", "minimum": 0},
        "alt": {"type": "string"},
        "caption": {"type": "string"},
        "credit": {"type": "string"},
    }
)

_SUMMARY_PROPERTIES = {
    "id": {"type": "integer", "minimum": 1},
    "url": _URL,
    "headline": {"type": "string"},
    "deck": {"type": "string"},
    "description": {"type": "string"},
    "category": _ref("Link"),
    "writers": {"type": "array", "items": _ref("Link")},
    "tags": {"type": "array", "items": _ref("Link")},
    "published_at": _DATETIME,
    "updated_at": {**_DATETIME, "type": ["string", "null"]},
    "image": {"oneOf": [_ref("Image"), {"type": "null"}]},
    "sponsor": {
        "oneOf": [
            _closed({"label": {"type": "string", "enum": ["広告", "PR"]}, "name": {"type": "string"}}),
            {"type": "null"},
        ],
        "description": "Set for advertising (広告) and PR articles, which must be shown with the label",
    },
}

_DETAIL_PROPERTIES = {
    **_SUMMARY_PROPERTIES,
    "body_html": {"type": "string", "description": "Sanitized HTML of the body"},
    "source_credit": {"type": "string"},
    "source_url": {**_NULLABLE_STRING, "format": "uri"},
    "corrections": {"type": "array", "items": _closed({"text": {"type": "string"}, "created_at": _DATETIME})},
}

_PAGE_NUMBER = {"type": ["integer", "null"], "minimum": 1}

SCHEMAS = {
    "Error": _closed(
        {"error": _closed({"status": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"}})}
    ),
    "Link": _LINK,
    "Image": _IMAGE,
    "Category": _closed(
        {"slug": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"}, "url": _URL}
    ),
    "ArticleSummary": _closed(_SUMMARY_PROPERTIES),
    "Article": _closed(_DETAIL_PROPERTIES),
    "ArticlePage": _closed(
        {
            "count": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "next_page": _PAGE_NUMBER,
            "previous_page": _PAGE_NUMBER,
            "results": {"type": "array", "items": _ref("ArticleSummary")},
        }
    ),
    "CategoryList": _closed({"results": {"type": "array", "items": _ref("Category")}}),
    "Ranking": _closed(
        {
            "category": _ref("Category"),
            "results": {
                "type": "array",
                "items": _closed({"rank": {"type": "integer", "minimum": 1}, **_SUMMARY_PROPERTIES}),
            },
        }
    ),
    "SearchResults": _closed(
        {
            "query": {"type": "string"},
            "count": {
                "type": "integer",
                "minimum": 0,
                "description": "Matching articles; a lower bound when count_at_least is true",
            },
            "count_at_least": {
                "type": "boolean",
                "description": f"More articles match than count: past {CANDIDATES:,} they are not counted, "
                "and only the newest of them and those with every word in the headline are ranked",
            },
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "results": {"type": "array", "items": _ref("ArticleSummary")},
        }
    ),
}

_CACHE_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "Send back as If-None-Match for a 304"},
    "Cache-Control": {"schema": {"type": "string"}},
    "Last-Modified": {
        "schema": {"type": "string"},
        "description": "On an article: its last change; send back as If-Modified-Since for a 304",
    },
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _ok(schema: str, description: str) -> dict:
    return {
        "200": {
            "description": description,
            "headers": _CACHE_HEADERS,
            "content": {"application/json": {"schema": _ref(schema)}},
        },
        "304": {"description": "Not modified: the copy named by If-None-Match / If-Modified-Since is current"},
        "400": _error("A parameter is malformed, out of range or names nothing"),
        "429": {
            **_error("Rate limit exceeded"),
            "headers": {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait"}},
        },
    }


def _query(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


_PAGE = _query("page", "Page number, from 1", {"type": "integer", "minimum": 1, "maximum": 10000})
_PER_PAGE = _query("per_page", "Items per page", {"type": "integer", "minimum": 1, "maximum": 100})
_SLUG = {"type": "string", "minLength": 1, "maxLength": 200}

PATHS = {
    "/api/v1/articles": {
        "get": {
            "operationId": "listArticles",
            "summary": "Published articles, newest first",
            "parameters": [
                _query("category", "Category slug", _SLUG),
                _query("tag", "Tag slug", _SLUG),
                _query("writer", "Writer slug", _SLUG),
                _PAGE,
                _PER_PAGE,
            ],
            "responses": _ok("ArticlePage", "A page of articles"),
        }
    },
    "/api/v1/articles/{id}": {
        "get": {
            "operationId": "getArticle",
            "summary": "One published article with its body",
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 2**53},
                }
            ],
            "responses": {**_ok("Article", "The article"), "404": _error("No published article with this id")},
        }
    },
    "/api/v1/categories": {
        "get": {
            "operationId": "listCategories",
            "summary": "All categories",
            "responses": _ok("CategoryList", "The categories in menu order"),
        }
    },
    "/api/v1/rankings": {
        "get": {
            "operationId": "getRanking",
            "summary": "Most-read published articles of a category",
            "parameters": [
                _query("category", "Category slug", _SLUG, required=True),
                _query("limit", "How many", {"type": "integer", "minimum": 1, "maximum": 50}),
            ],
            "responses": _ok("Ranking", "The ranking, most read first"),
        }
    },
    "/api/v1/search": {
        "get": {
            "operationId": "searchArticles",
            "summary": "Full-text search over published articles",
            "description": 'Words are ANDed; "exact phrase" and -exclude work as on the site\'s search page.',
            "parameters": [
                _query("q", "Search words", {"type": "string", "minLength": 1, "maxLength": 200}, required=True),
                _query("category", "Category slug", _SLUG),
                _query("page", "Page number, from 1", {"type": "integer", "minimum": 1, "maximum": 100}),
                _PER_PAGE,
            ],
            "responses": _ok("SearchResults", "Matching articles, best first"),
        }
    },
}

SCHEMA = {
    "openapi": "3.1.0",
    "info": {
        "title": f"{settings.SITE_NAME} Read API",
        "version": "1.0.0",
        "description": "Published articles, categories, rankings and search of the site, read-only. "
        "Rate limited per client IP; responses carry ETag and Cache-Control.",
    },
    "servers": [{"url": settings.SITE_URL}],
    "paths": PATHS,
    "components": {"schemas": SCHEMAS},
}
