"""What every endpoint of /api/v1/ shares: one error format, pagination, scoped viewsets.

Every error, whatever raised it, answers `{"errors": [{"field", "code", "message"}]}`.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import exception_handler as drf_exception_handler

from ranan.lib.dates import parse_day
from ranan.lib.idempotency import Conflict

NON_FIELD = {"non_field_errors", "__all__"}


def _flatten(detail, field=None):
    """DRF error detail (nested dicts/lists of ErrorDetail) → a flat list of error dicts."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = None if key in NON_FIELD else (f"{field}.{key}" if field else str(key))
            out.extend(_flatten(value, name))
        return out
    if isinstance(detail, list):
        out = []
        for index, item in enumerate(detail):
            # A list of dicts is a nested list serializer: keep the row index in the name.
            name = f"{field}[{index}]" if isinstance(item, dict) and field else field
            out.extend(_flatten(item, name))
        return out
    code = getattr(detail, "code", None) or "invalid"
    return [{"field": field, "code": code, "message": str(detail)}]


def django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    detail: dict | list
    if hasattr(exc, "error_dict"):
        detail = {
            key: [exceptions.ErrorDetail(m, code=getattr(e, "code", None) or "invalid")
                  for e in errors for m in e.messages]
            for key, errors in exc.error_dict.items()
        }
    else:
        detail = [exceptions.ErrorDetail(m, code=exc.code or "invalid") for m in exc.messages]
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    from django.utils.translation import gettext as _

    if isinstance(exc, Conflict) or (isinstance(exc, IntegrityError) and "client_id" in str(exc)):
        # A client_id used for another request, or the loser of a race on its unique column
        # that no service turned into the first answer: a conflict, never a 500.
        return error_response("client_id", "conflict", _(
            "This client_id was already used for a different request."), status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_to_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        errors = [{"field": None, "code": code, "message": str(detail)}]
    response.data = {"errors": errors}
    return response


def error_response(field, code: str, message: str, status_code=status.HTTP_400_BAD_REQUEST):
    return Response({"errors": [{"field": field, "code": code, "message": str(message)}]},
                    status=status_code)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = "The record changed since you read it: read it again (its ETag)."


def etag_of(data) -> str:
    """A strong ETag of a representation (the JSON a GET answers)."""
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


class ConditionalWrites:
    """Optimistic locking of an editable record (issue 16 item 13): GET of the detail answers
    an `ETag` (a hash of its representation); PUT/PATCH with `If-Match` are refused with 412
    `precondition_failed` when the record changed since (someone else's write in between).
    Without If-Match the write goes through, as before. Mixed into every editable detail
    view before its DRF base class."""

    DETAIL_KWARGS = ("pk", "code")

    def _is_detail(self, kwargs) -> bool:
        return any(k in kwargs for k in self.DETAIL_KWARGS)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args,  # type: ignore[misc]
                                             **kwargs)
        if (request.method in ("GET", "HEAD", "PUT", "PATCH") and response.status_code == 200
                and self._is_detail(kwargs) and isinstance(getattr(response, "data", None), dict)):
            response["ETag"] = etag_of(response.data)
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        wanted = request.headers.get("If-Match")
        method = request.method.lower()
        handles = method in self.http_method_names and hasattr(self, method)  # type: ignore[attr-defined]
        if method in ("put", "patch") and handles and wanted and self._is_detail(kwargs):
            tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
            if "*" not in tags and self.current_etag(request, *args, **kwargs) not in tags:
                from django.utils.translation import gettext as _

                raise PreconditionFailed(_("The record changed since you read it: read it "
                                           "again (its ETag) and send your change again."))

    def current_etag(self, request, *args, **kwargs) -> str:
        """The ETag a GET of the record would answer now: the view's own GET run (so the two
        cannot drift apart)."""
        django_request = request._request
        method, django_request.method = django_request.method, "GET"
        action = getattr(self, "action", None)
        try:
            if action is not None:
                self.action = "retrieve"  # type: ignore[attr-defined]
                response = self.retrieve(request, *args, **kwargs)  # type: ignore[attr-defined]
            else:
                response = self.get(request, *args, **kwargs)  # type: ignore[attr-defined]
        finally:
            django_request.method = method
            if action is not None:
                self.action = action  # type: ignore[attr-defined]
        return etag_of(response.data)


MAX_PAGE = 10_000_000


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_number(self, request, paginator):
        """A page past any list's end (a 20-digit page was a 500 on some lists) is a 404,
        as DRF answers for a page out of range."""
        number = super().get_page_number(request, paginator)
        if isinstance(number, str) and number.isdigit() and int(number) > MAX_PAGE:
            raise exceptions.NotFound(code="not_found")
        return number


class Router(SimpleRouter):
    """Routes answer with or without the trailing slash: `POST /api/v1/customers/import`
    must not become a redirect that drops the upload."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


def date_param(params, key: str):
    """A YYYY-MM-DD query parameter, None when absent; a 400 naming it when it is not a date
    (malformed, or a 13th month)."""
    from django.utils.translation import gettext as _

    try:
        return parse_day(params.get(key))
    except ValueError:
        raise exceptions.ValidationError({key: [_("A date, YYYY-MM-DD.")]}) from None

