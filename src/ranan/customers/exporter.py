"""Export of a filtered customer list to .xlsx in constant memory.

xlsxwriter's constant_memory mode writes each row to disk as it comes; rows are read from
the database in chunks with `.iterator()`; the finished file is streamed to the client and
deleted. A million rows never sit in memory. Phone and ID numbers are masked unless the
role works with them; every export is written to the audit log.
"""

from __future__ import annotations

import tempfile

from ranan.core import audit
from ranan.core.models import Jurisdiction
from ranan.core.permissions import can
from ranan.customers.choices import CustomerKind, CustomerStatus, Supply
from ranan.customers.columns import COLUMNS, KIND_WORDS, STATUS_WORDS, SUPPLY_WORDS, first_word
from ranan.lib import masking, safe_output
from ranan.lib.spreadsheet import write_import_template


def _lineage_names(user, qs) -> dict[int, str]:
    del qs
    return dict(Jurisdiction.objects.visible_to(user).values_list("id", "name"))


def write_template(path_or_file) -> None:
    """The import template: Chinese headers, a notes row per column on a second sheet."""
    write_import_template(path_or_file, sheet="客户", columns=COLUMNS,
                          note="辖区编码 与 辖区 至少填一项；只读取第一个工作表；请勿使用公式。")


def export_customers(*, actor, queryset, filters: dict, ip_address=None, approved=None):
    """Write the rows to a temporary .xlsx; returns (open file, row count).

    Phone and ID numbers are masked for every role (issue 16); they are written in full only
    for an approved personal-data export (`approved`: a core.PersonalDataExport a second
    account approved, downloaded by its requester, customers.full_export)."""
    full = approved is not None and can(actor, "customers.personal_data")
    names = _lineage_names(actor, queryset)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")
    book = safe_output.workbook(handle.name, {"constant_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#FDE7D9", "border": 1})
    sheet = book.add_worksheet("客户")
    for index, column in enumerate(COLUMNS):
        sheet.write_string(0, index, column.header, head)
        sheet.set_column(index, index, column.width)
    rows = 0
    kinds = {c: first_word(KIND_WORDS, c) for c in CustomerKind.values}
    supplies = {c: first_word(SUPPLY_WORDS, c) for c in Supply.values}
    statuses = {c: first_word(STATUS_WORDS, c) for c in CustomerStatus.values}
    fields = ("id", "kind", "name", "address", "building", "unit", "room", "jurisdiction__code",
              "jpath", "supply", "meter_number", "gas_company__name", "lpg_station__name",
              "contact_name", "phone", "contact2_name", "phone2", "id_number", "elderly_alone",
              "disabled", "tenant", "high_rise", "home_times", "status", "status_date",
              "latitude", "longitude")
    for record in queryset.values_list(*fields).iterator(chunk_size=5000):
        (pk, kind, name, address, building, unit, room, code, jpath, supply, meter, company,
         station, contact, phone, contact2, phone2, id_number, elderly, disabled, tenant,
         high_rise, home_times, status, status_date, lat, lng) = record
        segments = [int(jpath[i:i + 8]) for i in range(0, len(jpath), 8)]
        # Township / village[/grid]: enough to be unambiguous, short enough to read.
        place = "/".join(names.get(s, "") for s in segments[3:]) or names.get(segments[-1], "")
        if not full:
            phone, phone2 = masking.mask_phone(phone), masking.mask_phone(phone2)
            id_number = masking.mask_id(id_number)
        values = [pk, kinds[kind], name, address, building, unit, room, code or "", place,
                  supplies[supply], meter, company or "", station or "", contact, phone, contact2,
                  phone2, id_number, "是" if elderly else "否", "是" if disabled else "否",
                  "是" if tenant else "否", "是" if high_rise else "否", home_times,
                  statuses[status], status_date.isoformat() if status_date else "",
                  float(lat) if lat is not None else "", float(lng) if lng is not None else ""]
        rows += 1
        for col, value in enumerate(values):
            if isinstance(value, str):
                if not value:
                    continue
                # A text cell is never run as a formula: safe_output's apostrophe keeps it
                # text even when someone edits it in Excel.
                sheet.write_string(rows, col, value)
            else:
                sheet.write_number(rows, col, value)
    book.close()
    audit.record_export(actor=actor, model="customers.customer", rows=rows,
                        filters={k: str(v) for k, v in filters.items()}, personal=True,
                        ip_address=ip_address)
    if full:
        audit.record(actor=actor, action="view_personal", model="customers.customer",
                     details={"export": True, "rows": rows, "unmasked": ["phone", "phone2",
                                                                         "id_number"],
                              "approved_request": approved.pk},
                     ip_address=ip_address)
    handle.seek(0)
    return handle, rows
