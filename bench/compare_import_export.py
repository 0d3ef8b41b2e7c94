"""Benchmark: Ranan's importer against django-import-export, same 100,000-row file, one run.

    pip install -e ".[bench]"
    python bench/make_customers_file.py 100000 var/bench/customers-100k.xlsx
    python bench/compare_import_export.py var/bench/customers-100k.xlsx

django-import-export is configured the ordinary way for the Customer model: a ModelResource
with the template's Chinese headers mapped to fields, ForeignKeyWidgets for the jurisdiction
(by division code) and the station / gas company (by name), its default row-by-row
import with validation, inside one transaction (use_transactions), as its documentation
shows. Both runs start from an empty customer table. Goal (issue 3): Ranan ≥ 10× faster.
"""

import sys
import time

from _setup import build_world, machine, setup_django


def import_export_resource():
    from import_export import fields, resources, widgets

    from ranan.core.models import Jurisdiction, Organisation
    from ranan.customers.models import Customer

    class CustomerResource(resources.ModelResource):
        kind = fields.Field(attribute="kind", column_name="类型")
        name = fields.Field(attribute="name", column_name="名称")
        address = fields.Field(attribute="address", column_name="地址")
        building = fields.Field(attribute="building", column_name="楼栋")
        unit = fields.Field(attribute="unit", column_name="单元")
        room = fields.Field(attribute="room", column_name="房号")
        jurisdiction = fields.Field(attribute="jurisdiction", column_name="辖区编码",
                                    widget=widgets.ForeignKeyWidget(Jurisdiction, "code"))
        supply = fields.Field(attribute="supply", column_name="供气方式")
        meter_number = fields.Field(attribute="meter_number", column_name="燃气表号")
        gas_company = fields.Field(attribute="gas_company", column_name="燃气企业",
                                   widget=widgets.ForeignKeyWidget(Organisation, "name"))
        lpg_station = fields.Field(attribute="lpg_station", column_name="液化气站",
                                   widget=widgets.ForeignKeyWidget(Organisation, "name"))
        contact_name = fields.Field(attribute="contact_name", column_name="联系人")
        phone = fields.Field(attribute="phone", column_name="联系电话")
        home_times = fields.Field(attribute="home_times", column_name="常在家时间")

        class Meta:
            model = Customer
            fields = ("kind", "name", "address", "building", "unit", "room", "jurisdiction",
                      "supply", "meter_number", "gas_company", "lpg_station", "contact_name",
                      "phone", "home_times")
            import_id_fields = ()
            use_transactions = True

        def before_import_row(self, row, **kwargs):
            # The file holds labels; the model holds codes (what any real resource must do).
            row["类型"] = {"居民用户": "residential", "餐饮": "restaurant"}.get(row["类型"], "other")
            row["供气方式"] = {"管道燃气": "pipeline", "瓶装液化气": "lpg"}.get(row["供气方式"])
            for key in ("楼栋", "单元", "房号", "燃气表号", "常在家时间", "联系人", "联系电话"):
                row[key] = row.get(key) or ""

        def before_save_instance(self, instance, row, **kwargs):
            instance.jpath = instance.jurisdiction.path  # the scoping column Ranan needs

    return CustomerResource()


def run_import_export(path: str) -> tuple[float, int]:
    import tablib

    with open(path, "rb") as handle:
        started = time.perf_counter()
        dataset = tablib.Dataset().load(handle.read(), format="xlsx")
        result = import_export_resource().import_data(dataset, dry_run=False, raise_errors=True)
    elapsed = time.perf_counter() - started
    return elapsed, result.totals["new"]


def run_ranan(path: str, admin) -> tuple[float, int]:
    from ranan.customers.importer import import_customers

    with open(path, "rb") as handle:
        started = time.perf_counter()
        result = import_customers(actor=admin, fileobj=handle, filename=path)
    elapsed = time.perf_counter() - started
    assert not result.errors, result.errors[:3]
    return elapsed, result.created


def main(path: str) -> None:
    setup_django()
    world = build_world()
    from ranan.customers.models import Customer

    ranan_time, ranan_rows = run_ranan(path, world["admin"])
    Customer.objects.all().delete()
    ie_time, ie_rows = run_import_export(path)
    print(f"machine: {machine()}")
    for label, rows, seconds in (("Ranan importer", ranan_rows, ranan_time),
                                 ("django-import-export", ie_rows, ie_time)):
        print(f"{label + ':':<22}{rows:,} rows in {seconds:6.1f} s = {rows / seconds:8,.0f} rows/s")
    print(f"speed-up: {ie_time / ranan_time:.1f}x")


if __name__ == "__main__":
    main(sys.argv[1])
