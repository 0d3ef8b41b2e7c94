"""What every endpoint of /api/v1/ shares: one error format, pagination, scoped viewsets.

Every error, whatever raised it, answers `{"errors": [{"field", "code", "message"}]}`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import exception_handler as drf_exception_handler

from ranan.lib.dates import parse_day

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


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


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

