import io

import pytest

from tests.cast import With
from tests.factories import HouseholdFactory, PipelineHouseholdFactory


@pytest.fixture
def people(cast):
    """Customers of the cast's world: two LPG households in village A1, one in A2, and one
    pipeline household in community B1."""
    lpg = {"lpg_station": cast.station}
    return With(
        cast,
        c_a1=HouseholdFactory(name="张三", address="一村1号", jurisdiction=cast.village_a1, **lpg,
                              phone="13800001234", id_number="11010519491231002X",
                              elderly_alone=True),
        c_a1b=HouseholdFactory(name="李四", address="一村2号", jurisdiction=cast.village_a1, **lpg,
                               phone="13900005678"),
        c_a2=HouseholdFactory(name="王五", address="二村1号", jurisdiction=cast.village_a2, **lpg,
                              phone="0891-6812345"),
        c_b1=PipelineHouseholdFactory(name="赵六", building="3", unit="1", room="502",
                                      jurisdiction=cast.grid_b1, gas_company=cast.gas_company,
                                      meter_number="M-0001", phone="13700000001"))


def xlsx(rows) -> io.BytesIO:
    """An .xlsx made with openpyxl (what people's files look like), first row = headers."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "customers.xlsx"
    return buffer


HEADERS = ["名称", "地址", "辖区编码", "供气方式", "液化气站", "联系电话"]
