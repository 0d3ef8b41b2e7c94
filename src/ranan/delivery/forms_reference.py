"""Forms of a station's reference data (prices, service hours, village cycles): shape only;
the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ranan.core.choices import Level, OrgKind
from ranan.core.forms import StyledForm
from ranan.core.models import Jurisdiction, Organisation
from ranan.core.scoping import enterprise_ids
from ranan.cylinders.selectors import cylinder_types_for
from ranan.delivery.choices import EveningOrders, RefusedCheck, ShutOffOrders

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
            (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]


def own_stations(user):
    """The LPG stations whose reference data the account keeps."""
    qs = Organisation.objects.visible_to(user).filter(kind=OrgKind.LPG_STATION).order_by("name")
    ids = None if user.is_superuser else enterprise_ids(user)
    return qs if ids is None else qs.filter(pk__in=ids)


class StationField(forms.ModelChoiceField):
    def __init__(self, user, **kwargs):
        super().__init__(queryset=own_stations(user), label=_("Station"), empty_label=None,
                         **kwargs)


class PriceChangeForm(StyledForm):
    price = forms.DecimalField(label=_("Price (yuan)"), max_digits=8, decimal_places=2)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DATE,
                               help_text=_("The last day: a price ends, it is not deleted."))


class PriceForm(PriceChangeForm):
    field_order = ["station", "cylinder_type", "price", "valid_from", "valid_to"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"] = StationField(user)
        self.fields["cylinder_type"] = forms.ModelChoiceField(
            label=_("Cylinder type"), queryset=cylinder_types_for(user), empty_label=None)
        self.order_fields(self.field_order)
        for name in ("station", "cylinder_type"):
            self.fields[name].widget.attrs["class"] = "form-select"


class ServiceForm(StyledForm):
    opens = forms.TimeField(label=_("Opens"), widget=TIME)
    closes = forms.TimeField(label=_("Closes"), widget=TIME)
    timezone = forms.CharField(label=_("Time zone"), max_length=40)
    delivery_fee = forms.DecimalField(label=_("Delivery fee (yuan)"), max_digits=6,
                                      decimal_places=2, min_value=0)
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6,
                                  required=False, min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6,
                                   required=False, min_value=-180, max_value=180)
    road_factor = forms.DecimalField(label=_("Road factor"), max_digits=4, decimal_places=2,
                                     help_text=_("Road distance over straight distance (1-5)."))
    speed_kmh = forms.IntegerField(label=_("Average speed (km/h)"), min_value=1, max_value=120)
    shut_off_orders = forms.ChoiceField(
        label=_("An order for a household with gas shut off (已停气)"),
        choices=ShutOffOrders.choices, required=False)
    refused_check = forms.ChoiceField(
        label=_("The customer refuses the safety check at the door"),
        choices=RefusedCheck.choices, required=False,
        help_text=_("Either way the refusal counts: the second in a cycle puts the household "
                    "on the shut-off list."))
    evening_orders = forms.ChoiceField(
        label=_("An order asked after hours, of a village with a delivery cycle"),
        choices=EveningOrders.choices, required=False)


class CycleChangeForm(StyledForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Delivery weekdays"), choices=WEEKDAYS, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple)
    every_days = forms.IntegerField(label=_("Or every N days"), required=False, min_value=1,
                                    max_value=60)
    anchor = forms.DateField(label=_("Counting from"), required=False, widget=DATE)
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6,
                                  required=False, min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6,
                                   required=False, min_value=-180, max_value=180)


class CycleForm(CycleChangeForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = (Jurisdiction.objects.visible_to(user).filter(level=Level.VILLAGE)
                    .order_by("name"))
        self.fields = {
            "station": StationField(user),
            "village": forms.ModelChoiceField(label=_("Village"), queryset=villages),
            **self.fields}
        for name in ("station", "village"):
            self.fields[name].widget.attrs["class"] = "form-select"
