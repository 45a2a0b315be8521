"""The OpenAPI document, completed where FastAPI cannot know: bodies parsed by hand, and the
problem documents that every error is (errors.py answers them all, so they are described here
once, for every operation)."""

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field, TypeAdapter

from floorpulse.errors import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


class FieldProblem(BaseModel):
    field: str = Field(description="Where: `timestamp`, `query.from`, `body.name`, …")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(description="urn:floorpulse:problem:<slug>, e.g. …:invalid-input")
    title: str
    status: int
    detail: str = Field(description="What is wrong, for a person.")
    instance: str = Field(description="The path asked for.")
    errors: list[FieldProblem] | None = Field(default=None, description="Each field at fault.")


def complete(app: FastAPI, hand_parsed: list[Any]) -> None:
    """Serve the OpenAPI document with the hand-parsed types and the problem responses."""
    build: Callable[[], dict[str, Any]] = app.openapi
    # Built on first use, and the first requests of a process come at once from several
    # threads (every request's one_value_each check reads it): FastAPI's builder is not safe
    # to run twice at once (a KeyError under `serve --workers 2`).
    building = threading.Lock()

    def openapi() -> dict[str, Any]:
        with building:
            if app.openapi_schema is None:
                app.openapi_schema = _completed(build(), hand_parsed)
            return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _completed(schema: dict[str, Any], hand_parsed: list[Any]) -> dict[str, Any]:
    """FastAPI's document with the hand-parsed types, and every error a problem document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in [*hand_parsed, Problem]:
        adapter = TypeAdapter(model)
        model_schema = adapter.json_schema(ref_template="#/components/schemas/{model}")
        components.update(model_schema.pop("$defs", {}))
        components[model.__name__] = model_schema
    # Each item of a batch is judged on its own: one that is no event is rejected in the
    # answer, not the batch.
    events = components["EventBatchIn"]["properties"]["events"]
    events["items"] = {"anyOf": [events["items"], {}]}
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            _problems(operation["responses"])
    return schema


def _problems(responses: dict[str, Any]) -> None:
    """Errors are problem documents; any status not listed (400 malformed JSON, 405, 408, 413,
    429 …) is one too."""
    for status, response in responses.items():
        if status == "422" or status.startswith(("4", "5")):
            response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
            response.setdefault("description", "A problem document.")
    responses["default"] = {
        "description": "Any other error, as a problem document (RFC 9457).",
        "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
    }


def methods_at(app: FastAPI, path: str) -> list[str]:
    """The methods the API document lists for a concrete path (none: no such path)."""
    return sorted(
        method.upper()
        for pattern, methods in _index(app).paths
        if pattern.fullmatch(path)
        for method in methods
    )


def repeatable(app: FastAPI, template: str, method: str) -> frozenset[str] | None:
    """The query parameters of an operation that may be given more than once (lists); None
    for an operation the document does not describe (the dashboard's)."""
    return _index(app).lists.get((template, method))


@dataclass(frozen=True)
class _Index:
    """What requests ask of the API document, read from it once."""

    # Each documented path as a pattern (integer parameters match digits only), its methods.
    paths: list[tuple[re.Pattern[str], list[str]]]
    # (path template, METHOD) -> its query parameters that are lists
    lists: dict[tuple[str, str], frozenset[str]]


def _index(app: FastAPI) -> _Index:
    found: _Index | None = getattr(app.state, "api_index", None)
    if found is None:
        documented = app.openapi().get("paths", {})
        found = _Index(
            paths=[
                (_pattern(template, operations), list(operations))
                for template, operations in documented.items()
            ],
            lists={
                (template, verb.upper()): _list_parameters(operation)
                for template, operations in documented.items()
                for verb, operation in operations.items()
            },
        )
        app.state.api_index = found
    return found


def _list_parameters(operation: dict[str, Any]) -> frozenset[str]:
    return frozenset(
        parameter["name"]
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "query" and _is_list(parameter.get("schema", {}))
    )


def _pattern(template: str, operations: dict[str, Any]) -> re.Pattern[str]:
    integers = {
        parameter["name"]
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer"
    }

    def segment(match: re.Match[str]) -> str:
        return "[0-9]+" if match.group(1) in integers else "[^/]+"

    return re.compile(re.sub(r"\\\{(\w+)\\\}", segment, re.escape(template)))


def _is_list(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", [schema])
    return any(option.get("type") == "array" for option in options)
