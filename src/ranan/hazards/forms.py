"""Hazard page forms. They check shape (a date, a length, a uuid); the rules (a deadline in
the past, evidence for a fix, the fixer not verifying) are the services'."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ranan.core.forms import StyledForm
from ranan.hazards.choices import Responsible, Source, State
from ranan.hazards.models import Category
from ranan.hazards.selectors import category_name
from ranan.inspections.choices import Grade
from ranan.lib import images


def category_label(category: Category) -> str:
    """The category's name in the page's language."""
    return category_name(category)


ACTIONS = [State.RECTIFYING, State.FIXED, State.VERIFIED, State.REJECTED, State.CLOSED,
           State.UNFIXABLE]


def read_photos(files, name: str = "photos") -> tuple[list[bytes], str]:
    """The bytes of the uploaded photos, and a message when one is too large (the service
    checks that each is an image)."""
    photos, error = [], ""
    limit = images.MAX_PHOTO_BYTES
    for upload in files.getlist(name):
        if upload.size > limit:
            error = _("An image is at most %(mb)d MB.") % {"mb": limit // 1024 // 1024}
            continue
        if upload.size:
            photos.append(upload.read())
    return photos, error


class HazardForm(StyledForm):
    """Record a hazard by hand: at a customer, or (no customer) at premises in a
    jurisdiction given by its division code."""

    jurisdiction = forms.CharField(
        label=gettext_lazy("Area (division code)"), max_length=20, required=False,
        help_text=gettext_lazy("The code of the community or village; #<id> for an area "
                               "without a code."))
    premises = forms.CharField(label=gettext_lazy("Premises"), max_length=200, required=False,
                               help_text=gettext_lazy("A pipe in the street, a shop without a "
                                                      "gas account…"))
    category = forms.ChoiceField(label=gettext_lazy("Category"),
                                 error_messages={"required": gettext_lazy("Choose a category.")})
    grade = forms.ChoiceField(label=gettext_lazy("Grade"), required=False,
                              choices=[("", gettext_lazy("The category's default")),
                                       *Grade.choices])
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=Source.choices,
                               initial=Source.INSPECTION)
    description = forms.CharField(
        label=gettext_lazy("Description"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Describe the hazard.")})
    responsible = forms.ChoiceField(label=gettext_lazy("Responsible party"),
                                    choices=Responsible.choices, initial=Responsible.CUSTOMER)
    responsible_name = forms.CharField(label=gettext_lazy("Responsible (name)"), max_length=100,
                                       required=False)
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Leave empty for the grade's deadline."))

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(Category.objects.filter(is_active=True))
        self.fields["category"].choices = [("", "—"), *[(c.code, category_label(c))
                                                       for c in self.categories]]
        self.fields["deadline"].widget.attrs["min"] = timezone.localdate().isoformat()
        if customer is not None:
            del self.fields["jurisdiction"]
            del self.fields["premises"]


class TransitionForm(StyledForm):
    """One action of the hazard page: the state to move to, a note, and the client_id made
    when the page was shown (a second send of the same form records nothing new)."""

    to = forms.ChoiceField(choices=[(s.value, s.label) for s in ACTIONS],
                           widget=forms.HiddenInput)
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AppointmentForm(StyledForm):
    """Book a visit: the day and time agreed with the resident, who goes, the number the
    resident is told on (empty: the customer's)."""

    day = forms.DateField(label=gettext_lazy("Day"),
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(label=gettext_lazy("Time"),
                           widget=forms.TimeInput(attrs={"type": "time", "step": 900},
                                                  format="%H:%M"))
    inspectors = forms.MultipleChoiceField(label=gettext_lazy("Inspectors"),
                                           widget=forms.CheckboxSelectMultiple)
    phone = forms.CharField(label=gettext_lazy("Resident's phone"), max_length=20,
                            required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, inspectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].choices = [(str(a.pk), str(a)) for a in inspectors]
        self.fields["day"].widget.attrs["min"] = timezone.localdate().isoformat()


class AppointmentCloseForm(StyledForm):
    to = forms.ChoiceField(choices=[("done", "done"), ("cancelled", "cancelled")])
    note = forms.CharField(max_length=500, required=False)
