"""One check of every request's input, before any view sees it (issue 16 item 4).

A NUL byte reaching PostgreSQL is a 500 (it refuses NUL in text), and other control characters
have no business in a name, a code or a search either. So the path, the query string (names and
values), the form fields (urlencoded and multipart; not the files' contents) and a JSON body
(keys and strings, recursively) are checked here, once, for every endpoint: a C0 control
character other than tab, line feed and carriage return, or DEL, answers 400 naming the field
(code `control_character`). NUL is refused everywhere, and in the path and the parameter names
tab and line breaks too.

A JSON body nested deeper than MAX_JSON_DEPTH is a 400 (`too_deep`) rather than a
RecursionError, and a body over DATA_UPLOAD_MAX_MEMORY_SIZE a 413 (`too_large`) naming the
body, in the API's JSON shape under /api/ (Django's own answer would be an HTML 400).
"""

from __future__ import annotations

import json
import re

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

# C0 controls except tab, LF, CR; and DEL. In names (path, parameter names, JSON keys): all C0.
IN_VALUES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
IN_NAMES = re.compile(r"[\x00-\x1f\x7f]")
MAX_JSON_DEPTH = 32
MAX_ERRORS = 20


class TooDeep(Exception):
    pass


def _field_name(name: str) -> str:
    """A field name safe to echo back: its control characters written as \\xNN."""
    return IN_NAMES.sub(lambda m: f"\\x{ord(m.group()):02x}", name)


def _check_pairs(pairs, out: list[str]) -> None:
    for name, value in pairs:
        if IN_NAMES.search(name) or IN_VALUES.search(value):
            out.append(_field_name(name))


def _check_json(value, path: str, depth: int, out: list[str]) -> None:
    if depth > MAX_JSON_DEPTH:
        raise TooDeep(path)
    if isinstance(value, str):
        if IN_VALUES.search(value):
            out.append(path or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if IN_NAMES.search(key):
                out.append(_field_name(name))
                continue
            _check_json(item, name, depth + 1, out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]" if path else f"[{index}]", depth + 1, out)


def _json_body(request: HttpRequest, out: list[str]) -> None:
    try:
        data = json.loads(request.body or b"null")
    except RecursionError:
        raise TooDeep("body") from None
    except ValueError:
        return  # malformed: the parser's 400 (`parse_error`) says so
    _check_json(data, "", 0, out)


def _form(request: HttpRequest, content_type: str, out: list[str]) -> None:
    if request.method == "POST":
        _check_pairs(_flat(request.POST), out)
        # A file's name is input too (its content is not text).
        for name, files in request.FILES.lists():
            if IN_NAMES.search(name) or any(IN_VALUES.search(f.name or "") for f in files):
                out.append(_field_name(name))
    elif content_type == "application/x-www-form-urlencoded":
        _check_pairs(_flat(QueryDict(request.body, encoding=request.encoding)), out)


def _flat(query: QueryDict):
    return ((name, value) for name, values in query.lists() for value in values)


def offending_fields(request: HttpRequest) -> list[str]:
    """The names of the inputs holding a control character (`path` for the path); raises
    TooDeep, RequestDataTooBig, TooManyFieldsSent."""
    out: list[str] = []
    if IN_NAMES.search(request.path):
        out.append("path")
    _check_pairs(_flat(request.GET), out)
    content_type = (request.content_type or "").lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        _json_body(request, out)
    elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        _form(request, content_type, out)
    return list(dict.fromkeys(out))[:MAX_ERRORS]


def _answer(request: HttpRequest, errors: list[dict], status: int):
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": errors}, status=status)
    return render(request, "400.html", {"errors": errors, "status": status}, status=status)


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            fields = offending_fields(request)
        except TooDeep as exc:
            return _answer(request, [{"field": str(exc) or "body", "code": "too_deep", "message": _(
                "The JSON body is nested more than %(n)d levels deep.") % {"n": MAX_JSON_DEPTH}}],
                400)
        except RequestDataTooBig:
            return _answer(request, [{"field": "body", "code": "too_large", "message": _(
                "The request body is larger than the limit (%(mb)s MB): send fewer or smaller "
                "photos.") % {"mb": _limit_mb()}}], 413)
        except TooManyFieldsSent:
            return _answer(request, [{"field": "body", "code": "too_many_fields",
                                      "message": _("The request has too many fields.")}], 400)
        if fields:
            return _answer(request, [
                {"field": name, "code": "control_character",
                 "message": _("“%(field)s” holds a control character (such as NUL), which is "
                              "not allowed.") % {"field": name}} for name in fields], 400)
        return self.get_response(request)


def _limit_mb() -> str:
    from django.conf import settings

    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return f"{size / (1024 * 1024):g}"
