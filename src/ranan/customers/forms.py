"""Customer page forms: shape only; the rules are in services.check_customer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ranan.core.choices import Level, OrgKind
from ranan.core.forms import StyledForm
from ranan.core.models import Jurisdiction, Organisation
from ranan.customers import choices
from ranan.customers.importer import OnDuplicate

TRI = [("", "—"), ("true", _("Yes")), ("false", _("No"))]


def _tri(value):
    return {"true": True, "false": False}.get(value)


class CustomerForm(StyledForm):
    kind = forms.ChoiceField(label=_("Type"), choices=choices.CustomerKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=200)
    building = forms.CharField(label=_("Building"), max_length=20, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    room = forms.CharField(label=_("Room"), max_length=20, required=False)
    jurisdiction = forms.ModelChoiceField(label=_("Village / community or grid"),
                                          queryset=Jurisdiction.objects.none())
    supply = forms.ChoiceField(label=_("Gas supply"), choices=choices.Supply.choices)
    meter_number = forms.CharField(label=_("Meter number"), max_length=40, required=False)
    gas_company = forms.ModelChoiceField(label=_("Gas company"), queryset=Organisation.objects.none(),
                                         required=False)
    lpg_station = forms.ModelChoiceField(label=_("LPG station"), queryset=Organisation.objects.none(),
                                         required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    contact2_name = forms.CharField(label=_("Second contact"), max_length=50, required=False)
    phone2 = forms.CharField(label=_("Second phone"), max_length=30, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False)
    elderly_alone = forms.BooleanField(label=_("Elderly living alone"), required=False)
    disabled = forms.BooleanField(label=_("Disabled"), required=False)
    tenant = forms.BooleanField(label=_("Rented / tenant"), required=False)
    high_rise = forms.BooleanField(label=_("High-rise"), required=False)
    home_times = forms.CharField(label=_("Usually at home"), max_length=100, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=choices.CustomerStatus.choices)
    status_date = forms.DateField(label=_("Status since"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6,
                                  min_value=-90, max_value=90, required=False)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6,
                                   min_value=-180, max_value=180, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = Jurisdiction.objects.visible_to(user).filter(
            level__in=[Level.VILLAGE, Level.GRID])
        self.fields["jurisdiction"].label_from_instance = lambda j: (
            f"{j.parent.name} / {j.name}" if j.parent_id else j.name)
        self.fields["jurisdiction"].queryset = self.fields["jurisdiction"].queryset.select_related("parent")
        from ranan.customers.services import suppliers_for

        orgs = suppliers_for(user)
        self.fields["gas_company"].queryset = orgs.filter(kind=OrgKind.PIPELINE_GAS)
        self.fields["lpg_station"].queryset = orgs.filter(kind=OrgKind.LPG_STATION)
        # A station's people register its households: their station comes first.
        own = getattr(user, "organisation", None)
        if own is not None and own.kind == OrgKind.LPG_STATION and not self.is_bound:
            self.fields["lpg_station"].initial = own.pk
            self.fields["supply"].initial = choices.Supply.LPG


class DeviceForm(StyledForm):
    kind = forms.ChoiceField(label=_("Device"), choices=choices.DeviceKind.choices)
    installed_on = forms.DateField(label=_("Installed on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    made_on = forms.DateField(label=_("Made on"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    flame_out = forms.ChoiceField(label=_("Flame-out protection"), choices=TRI, required=False)
    material = forms.ChoiceField(label=_("Hose material"), choices=[("", "—"), *choices.HoseMaterial.choices],
                                 required=False)
    length_m = forms.DecimalField(label=_("Length (m)"), max_digits=4, decimal_places=2,
                                  min_value=0.01, max_value=50, required=False)
    expires_on = forms.DateField(label=_("Replace by"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    self_closing = forms.ChoiceField(label=_("Self-closing"), choices=TRI, required=False)
    has_cutoff = forms.ChoiceField(label=_("With cut-off"), choices=TRI, required=False)
    heater_type = forms.ChoiceField(label=_("Heater type"),
                                    choices=[("", "—"), *choices.HeaterType.choices],
                                    required=False)
    condition = forms.ChoiceField(label=_("Condition"),
                                  choices=[("", "—"), *choices.Condition.choices],
                                  required=False)
    meter_number = forms.CharField(label=_("Meter number"), max_length=40, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("flame_out", "self_closing", "has_cutoff"):
            data[key] = _tri(data.get(key))
        return {k: v for k, v in data.items() if v not in (None, "")} | {"kind": data["kind"]}


class ImportForm(StyledForm):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))
    on_duplicate = forms.ChoiceField(label=_("When a customer already exists"),
                                     choices=OnDuplicate.choices, initial=OnDuplicate.STOP)
    dry_run = forms.BooleanField(label=_("Dry run: check only, import nothing"), required=False)


FILTER_CHOICES = {
    "kind": choices.CustomerKind.choices,
    "supply": choices.Supply.choices,
    "flag": choices.CareFlag.choices,
    "missing": [(m.name.lower(), m.label) for m in choices.Missing],
    "status": choices.CustomerStatus.choices,
}
