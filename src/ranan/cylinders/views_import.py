"""The stock import page: upload a station's existing cylinders from .xlsx / .csv, and the
template to fill. The rules live in `importer.import_cylinders`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ranan.core.choices import OrgKind
from ranan.core.forms import StyledForm
from ranan.core.models import Organisation
from ranan.core.permissions import is_admin, requires
from ranan.cylinders.columns import COLUMNS
from ranan.cylinders.importer import import_cylinders
from ranan.lib.spreadsheet import write_import_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CylinderImportForm(StyledForm):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx or .csv)"))
    station = forms.ModelChoiceField(label=gettext_lazy("Station"), required=False,
                                     queryset=Organisation.objects.none())
    dry_run = forms.BooleanField(label=gettext_lazy("Dry run: check only, import nothing"),
                                 required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        stations = Organisation.objects.filter(kind=OrgKind.LPG_STATION, is_active=True)
        if not user.is_superuser:
            stations = stations.filter(pk__in=Organisation.objects.visible_to(user).values("pk"))
        self.fields["station"].queryset = stations.order_by("name")
        if user.is_superuser or is_admin(user):
            self.fields["station"].required = True  # an administrator names the station
        elif stations.count() <= 1:
            # A station manager's own station: nothing to choose (the importer takes it).
            del self.fields["station"]


@requires("cylinders.import")
def cylinder_import(request):
    form = CylinderImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_cylinders(actor=request.user, fileobj=upload.file, filename=upload.name,
                                  dry_run=form.cleaned_data["dry_run"],
                                  station=form.cleaned_data.get("station"))
        if not result.errors and not result.dry_run:
            messages.success(request, _("Imported %(created)d cylinders (%(generated_codes)d "
                                        "with new codes).") % result.as_dict())
    return render(request, "cylinders/import.html", {"form": form, "result": result,
                                                     "columns": COLUMNS})


@requires("cylinders.import")
def cylinder_import_template(request):
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="cylinder-import-template.xlsx"'
    write_template(response)
    return response


def write_template(path_or_file) -> None:
    """Chinese headers and a sheet of notes per column."""
    write_import_template(path_or_file, sheet="气瓶", columns=COLUMNS, note_width=14,
                          note="一行一只气瓶；只读取第一个工作表；请勿使用公式。任何一行有错"
                               "则整个文件都不导入，并列出每个错误的行和列。")
