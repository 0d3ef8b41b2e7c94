"""Cylinder page forms: they check shape; services check the rules."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ranan.core.choices import Role
from ranan.core.forms import StyledForm
from ranan.core.models import Account
from ranan.cylinders.choices import Action, Record
from ranan.cylinders.models import CylinderType
from ranan.cylinders.services import LABEL_GRIDS, MAX_LABELS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
GRID_LABELS = {
    "3x8": _("3 × 8 (70 × 36 mm, 24 a sheet)"),
    "4x10": _("4 × 10 (48.5 × 25.4 mm, 40 a sheet)"),
    "2x5": _("2 × 5 (99.1 × 57 mm, 10 a sheet)"),
    "5x13": _("5 × 13 (38.1 × 21.2 mm, 65 a sheet)"),
}


def _couriers(station_ids):
    return (Account.objects.filter(role_rows__role=Role.COURIER, organisation__in=station_ids,
                                   is_active=True).order_by("username").distinct())


class ScanForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=40,
                           widget=forms.TextInput(attrs={"autofocus": True,
                                                         "autocomplete": "off",
                                                         "autocapitalize": "characters"}))
    action = forms.ChoiceField(label=_("Action"), choices=Action.choices)
    courier = forms.ModelChoiceField(label=_("Courier"), queryset=Account.objects.none(),
                                     required=False)
    # Chosen with the customer search above the form (name, phone tail or address), never
    # typed: the internal number means nothing to the person scanning.
    customer = forms.IntegerField(label=_("Customer"), required=False, min_value=1,
                                  widget=forms.HiddenInput)
    net_weight_kg = forms.DecimalField(label=_("Net weight (kg)"), max_digits=5,
                                       decimal_places=2, min_value=0, max_value=100,
                                       required=False)
    filling_line = forms.CharField(label=_("Filling line"), max_length=20, required=False)
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, station_ids=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("client_id", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.fields["courier"].queryset = _couriers(station_ids)
        self.fields["courier"].label_from_instance = lambda a: f"{a} ({a.username})"


class CustomerSearchForm(forms.Form):
    """The scan page's customer search (a GET form): name, phone tail, address."""

    customer_q = forms.CharField(label=_("Find the customer"), max_length=50, required=False,
                                 widget=forms.TextInput(attrs={
                                     "class": "form-control", "autocomplete": "off",
                                     "placeholder": _("Name, last 4 digits of the phone, "
                                                      "or address")}))


class RegisterForm(StyledForm):
    type = forms.ModelChoiceField(label=_("Type"), queryset=CylinderType.objects.none())
    code = forms.CharField(label=_("Code on the label"), max_length=40, required=False,
                           help_text=_("Leave empty to get a new code (print its label)."))
    manufacturer = forms.CharField(label=_("Manufacturer"), max_length=100, required=False)
    serial = forms.CharField(label=_("Factory serial"), max_length=40, required=False)
    made_on = forms.DateField(label=_("Manufactured on"), widget=DATE)
    last_inspected_on = forms.DateField(label=_("Last periodic inspection"), required=False,
                                        widget=DATE)

    def __init__(self, *args, types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = types if types is not None else CylinderType.objects.all()


class RecordForm(StyledForm):
    record = forms.ChoiceField(label=_("Step"), choices=Record.choices)
    on = forms.DateField(label=_("Date"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.TextInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)


class LabelForm(StyledForm):
    count = forms.IntegerField(label=_("Number of labels"), min_value=1, max_value=MAX_LABELS,
                               initial=24)
    grid = forms.ChoiceField(label=_("Label sheet"),
                             choices=[(key, GRID_LABELS[key]) for key in LABEL_GRIDS])


class DaysForm(forms.Form):
    days = forms.IntegerField(min_value=0, max_value=3650, required=False)


class PeriodForm(forms.Form):
    station = forms.IntegerField(min_value=1, required=False)
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    day = forms.DateField(required=False)
