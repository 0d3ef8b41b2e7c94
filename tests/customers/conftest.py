import io

import pytest

from ranan.customers import services
from ranan.customers.choices import Supply


@pytest.fixture
def people(cast):
    """Customers of the cast's world: two LPG households in village A1, one in A2, and one
    pipeline household in community B1."""
    make = services.customer_create
    cast.c_a1 = make(actor=None, name="张三", address="一村1号", jurisdiction=cast.village_a1,
                     supply=Supply.LPG, lpg_station=cast.station, phone="13800001234",
                     id_number="11010519491231002X", elderly_alone=True)
    cast.c_a1b = make(actor=None, name="李四", address="一村2号", jurisdiction=cast.village_a1,
                      supply=Supply.LPG, lpg_station=cast.station, phone="13900005678")
    cast.c_a2 = make(actor=None, name="王五", address="二村1号", jurisdiction=cast.village_a2,
                     supply=Supply.LPG, lpg_station=cast.station, phone="0891-6812345")
    cast.c_b1 = make(actor=None, name="赵六", address="乙小区", building="3", unit="1", room="502",
                     jurisdiction=cast.grid_b1, supply=Supply.PIPELINE, gas_company=cast.gas_company,
                     meter_number="M-0001", phone="13700000001")
    return cast


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
