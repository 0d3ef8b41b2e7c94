"""Delivery page forms. They check shape (a number, a date, a code typed); the rules (the
quantity allowed, the real-name record, the interlock, the forced check) are the services'.
The safety check of the delivery form is the inspections checklist, read by
`ranan.inspections.forms.read_checklist` like the visit form's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ranan.core.forms import StyledForm
from ranan.cylinders.models import CylinderType
from ranan.delivery.choices import Channel, FailReason, Payment
from ranan.lib.dates import utc_datetime_field

# What the page offers: the self-service channel is the customers' own page, not this one;
# "refused by the interlock" is recorded by the delivery itself.
PAGE_CHANNELS = [c for c in Channel.choices if c[0] != Channel.SELF]
# "refused the check" is recorded by the delivery form (the customer refused the check).
PAGE_FAIL_REASONS = [c for c in FailReason.choices
                     if c[0] not in (FailReason.INTERLOCK, FailReason.CHECK_REFUSED)]
CHECK_DONE, CHECK_REFUSED = "inspected", "refused"


class OrderForm(StyledForm):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    customer = forms.IntegerField(widget=forms.HiddenInput)
    cylinder_type = forms.ModelChoiceField(label=_("Cylinder"), queryset=CylinderType.objects.none(),
                                           empty_label=None)
    # Any whole number: the service says what is allowed (1 to 10).
    quantity = forms.IntegerField(label=_("Quantity"), initial=1, widget=forms.NumberInput(
        attrs={"inputmode": "numeric", "min": 1, "max": 10}))
    received_at = utc_datetime_field(
        label=_("Asked at"), required=False,
        help_text=_("When the villager asked (in the WeChat group or on the phone)."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    wanted_date = forms.DateField(label=_("Wanted on"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    urgent = forms.BooleanField(label=_("Urgent (out of the village's cycle)"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=PAGE_CHANNELS,
                                initial=Channel.COURIER)
    # No max_length of its own: the service's message names the limit.
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.TextInput(attrs={"maxlength": 200}))
    buyer_name = forms.CharField(label=_("Buyer's name"), required=False, max_length=50)
    buyer_id_number = forms.CharField(label=_("Buyer's ID number"), required=False,
                                      max_length=30)

    def __init__(self, *args, real_name_needed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cylinder_type"].queryset = CylinderType.objects.order_by("size_kg", "id")
        if not real_name_needed:
            del self.fields["buyer_name"]
            del self.fields["buyer_id_number"]


class DeliverForm(StyledForm):
    """The fields of the delivery form that do not depend on the quantity or the
    checklist: the codes (full_<n>, empty_<n>) and the checklist are read by the view."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    outcome = forms.ChoiceField(required=False, choices=[(CHECK_DONE, _("Check done")),
                                                         (CHECK_REFUSED, _("Refused the check"))])
    confirm_refused = forms.BooleanField(required=False)
    payment = forms.ChoiceField(label=_("Payment"), choices=Payment.choices,
                                initial=Payment.CASH, widget=forms.RadioSelect)
    payment_ref = forms.CharField(label=_("Payment reference"), required=False, max_length=64)
    notes = forms.CharField(label=_("Notes"), max_length=1000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class FailForm(StyledForm):
    reason = forms.ChoiceField(label=_("Why"), choices=PAGE_FAIL_REASONS,
                               widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=150)


class AssignForm(StyledForm):
    round = forms.IntegerField(label=_("Round"))


class CancelForm(StyledForm):
    note = forms.CharField(label=_("Why"), required=False, max_length=150)


class LoadForm(StyledForm):
    """The station's "load the round": the codes scanned (a barcode reader ends each with
    Enter: one a line; spaces and commas separate too)."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    codes = forms.CharField(label=_("Cylinders going out"), max_length=20000,
                            widget=forms.Textarea(attrs={
                                "rows": 6, "autofocus": True, "autocomplete": "off",
                                "autocapitalize": "characters", "class": "font-monospace"}),
                            help_text=_("Scan each full cylinder into this box (one a line), "
                                        "then load: each goes through the interlock."))

    def clean_codes(self) -> list[str]:
        import re

        return [c for c in re.split(r"[\s,，;；]+", self.cleaned_data["codes"]) if c]
