"""What every app's `filters.py` shares (django-filter).

A list's FilterSet names and types its query parameters: the OpenAPI schema documents them,
and a malformed or unknown value answers 400 naming the parameter (the API's exception
handler turns django-filter's form errors into `{"errors": [{"field", "code", "message"}]}`).

Where a page and the API share a selector (tuned, benchmarked), the FilterSet is a
`SelectorFilterSet`: its declared filters document and check the parameters, the selector
does the filtering, so the page and the API answer the same rows with the same queries.
"""

from __future__ import annotations

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


class FilterSet(filters.FilterSet):
    """django-filter's FilterSet, cheaper per request (the customer list is benchmarked):
    django-filter deep-copies every filter and builds a new form class on each request
    (1.6 ms for the customer list's seven); the filters keep no per-request state but their
    model and parent, so a shallow copy is enough, and the form class is built once per
    FilterSet class, its fields shared by its forms (0.1 ms)."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(f) for name, f in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self
            if filter_.method is not None:  # rebind its FilterMethod to this copy
                filter_.method = filter_.method

    def get_form_class(self):
        cls = type(self)
        form = cls.__dict__.get("_form_class")
        if form is None:
            form = super().get_form_class()
            form.base_fields = _SharedFields(form.base_fields)
            cls._form_class = form
        return form


class _SharedFields(dict):
    """A filter form's fields, shared by its instances rather than deep-copied for each (a
    filter form only validates query parameters: nothing changes a field)."""

    def __deepcopy__(self, memo):
        return dict(self)


def meta(model) -> type:
    """A FilterSet's Meta: its model, and only the filters it declares."""
    return type("Meta", (), {"model": model, "fields": []})


class ChoicesFilter(filters.BaseInFilter, filters.ChoiceFilter):
    """Several choices, comma-separated (`?state=open,rectifying`): each one checked."""


class YesNoWidget(forms.Widget):
    """Reads true/false/1/0/yes/no; keeps any other text so that the field refuses it."""

    VALUES = {"1": True, "0": False, "true": True, "false": False, "yes": True, "no": False}

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if value in (None, ""):
            return None
        return self.VALUES.get(value.lower(), value) if isinstance(value, str) else value


class YesNoField(forms.NullBooleanField):
    widget = YesNoWidget
    default_error_messages = {"invalid": _("true or false.")}

    def to_python(self, value):
        if value in (None, True, False):
            return value
        raise ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        return None


class TrueFilter(filters.BooleanFilter):
    """`true` / `false` (also `1` / `0`, `yes` / `no`); anything else is a 400."""

    field_class = YesNoField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoWidget)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IntFilter(filters.NumberFilter):
    """A whole number (an id, a count of days): `5.5` or `abc` is a 400."""

    field_class = forms.IntegerField


class SelectorFilterSet(FilterSet):
    """Declared filters check and document the parameters; `select(user, params)` (the
    selector a page shares) filters. The view's queryset is the same scoped base, so it is
    replaced rather than narrowed."""

    def select(self, user, params):  # pragma: no cover - each subclass says
        raise NotImplementedError

    def filter_queryset(self, queryset):
        return self.select(self.request.user, self.data)
