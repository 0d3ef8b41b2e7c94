"""Page forms: they check shape; services check the rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ranan.core.choices import AuditAction, Level, OrgKind, RegulatorType
from ranan.core.contract import role_choices as contract_role_choices
from ranan.core.models import Jurisdiction, Organisation


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, on the field it names when it can."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                for message in error.messages:
                    if target is None and field != "__all__":
                        message = f"{field}: {message}"
                    form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def form_page(request, form: forms.Form, save, *, title, back: str):
    """A page of one form whose valid data a service saves. `save(data)` returns where to go
    next (or the saved row: go `back`), or (where, message) when "Saved." is not the
    message; its ValidationError is shown next to the fields it names, and the form again."""
    from django.contrib import messages
    from django.shortcuts import redirect, render
    from django.utils.translation import gettext

    if request.method == "POST" and form.is_valid():
        try:
            done = save(dict(form.cleaned_data))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            target, message = done if isinstance(done, tuple) else (done, gettext("Saved."))
            if not isinstance(target, str):  # the saved row: back where the form came from
                target = back
            messages.success(request, message)
            return redirect(target)
    return render(request, "core/form.html", {"form": form, "title": title, "back": back})


class StyledForm(forms.Form):
    """Adds Tabler/Bootstrap classes to every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class JurisdictionForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    code = forms.CharField(label=_("Division code"), max_length=12, required=False)


class JurisdictionEditForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Division code"), max_length=12, required=False)


class OrganisationForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgKind.choices)
    regulator_type = forms.ChoiceField(
        label=_("Regulator type"), choices=[("", "—"), *RegulatorType.choices], required=False
    )
    parent = forms.ModelChoiceField(label=_("Parent company"), queryset=Organisation.objects.none(),
                                    required=False)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18,
                                  required=False)
    jurisdictions = forms.ModelMultipleChoiceField(
        label=_("Jurisdictions covered"), queryset=Jurisdiction.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        fields: dict = self.fields  # ModelChoiceFields
        fields["parent"].queryset = Organisation.objects.visible_to(user).filter(
            kind=OrgKind.LPG_COMPANY)
        fields["jurisdictions"].queryset = Jurisdiction.objects.visible_to(user).exclude(
            level=Level.GRID)
        fields["jurisdictions"].label_from_instance = _indented


def _indented(node: Jurisdiction) -> str:
    return f"{'　' * node.depth}{node.name}"


class AccountForm(StyledForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    organisation = forms.ModelChoiceField(label=_("Organisation"),
                                          queryset=Organisation.objects.none())
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=contract_role_choices,
                                      widget=forms.CheckboxSelectMultiple)
    area = forms.ModelMultipleChoiceField(label=_("Area"), queryset=Jurisdiction.objects.none(),
                                          widget=forms.SelectMultiple(attrs={"size": 12}))
    password = forms.CharField(label=_("Password"), required=False,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=_("Leave empty to keep the current password."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, user, editing=False, own=False, **kwargs):
        from ranan.core.choices import PRIVILEGED_ROLES, Role
        from ranan.core.selectors import manageable

        super().__init__(*args, **kwargs)
        self.editing = editing
        fields: dict = self.fields  # ModelChoiceFields
        fields["organisation"].queryset = manageable(Organisation.objects.all(), user)
        fields["area"].queryset = manageable(Jurisdiction.objects.all(), user)
        fields["area"].label_from_instance = _indented
        if own:  # no account changes its own roles (三员分立)
            fields["roles"].disabled = True
        elif Role.SECURITY_ADMIN not in user.roles:
            # The privileged roles are given by the security administrator alone.
            fields["roles"].choices = [(code, label) for code, label in contract_role_choices()
                                       if code not in PRIVILEGED_ROLES]
        if editing:
            self.fields["username"].disabled = True
        else:
            self.fields["password"].help_text = ""

    def clean_password(self):
        value = self.cleaned_data.get("password", "")
        if not self.editing and not value:
            raise ValidationError(_("This field is required."))
        return value


class AuditFilterForm(StyledForm):
    """The audit log's filter: pickers for the account, the record type and the action, a
    range of days (both included, in local time) and a search of the record's name or id."""

    account = forms.ChoiceField(label=_("Account"), required=False)
    model = forms.ChoiceField(label=_("Record type"), required=False)
    action = forms.ChoiceField(label=_("Action"), choices=[("", "—"), *AuditAction.choices],
                               required=False)
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("Record"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        from ranan.core import auditlog
        from ranan.core.models import Account

        super().__init__(*args, **kwargs)
        accounts = Account.objects.order_by("username").values_list("username", "full_name")
        account, model = self.fields["account"], self.fields["model"]
        assert isinstance(account, forms.ChoiceField) and isinstance(model, forms.ChoiceField)
        account.choices = [("", "—"), *((u, f"{u}（{n}）" if n else u) for u, n in accounts)]
        model.choices = [("", "—"), *auditlog.model_choices()]

    def clean(self):
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The last day is before the first."))
        return data

    def query(self) -> dict:
        """The selector's arguments: the days as the local midnights that bound them."""
        import datetime

        from django.utils import timezone

        data = dict(self.cleaned_data)
        for key, shift in (("since", 0), ("until", 1)):
            if data.get(key):
                day = data[key] + datetime.timedelta(days=shift)
                data[key] = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        return data
