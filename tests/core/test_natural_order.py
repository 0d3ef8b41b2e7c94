"""Grids and villages in the order people count them (issue 15 item 10): 一、二、三、四, not the
code-point order 一、三、二、四."""

import datetime
import re

import pytest
from django.test import Client

from ranan.core import kpis, services
from ranan.core.choices import Level
from ranan.lib.naturalsort import by_name, chinese_number, natural_key


@pytest.mark.parametrize(("run", "number"), [
    ("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("一百零五", 105),
    ("一〇一", 101), ("两千", 2000), ("零", 0),
])
def test_chinese_numerals_read_as_numbers(run, number):
    assert chinese_number(run) == number


def test_names_sort_as_counted():
    grids = ["第四网格", "第十网格", "第一网格", "第三网格", "第二十网格", "第二网格", "第十一网格"]
    assert sorted(grids, key=natural_key) == [
        "第一网格", "第二网格", "第三网格", "第四网格", "第十网格", "第十一网格", "第二十网格"]
    assert sorted(["10号楼", "2号楼", "１号楼"], key=natural_key) == ["１号楼", "2号楼", "10号楼"]
    # Names without numerals keep a stable text order; empty names do not fail.
    assert sorted(["德庆村", "", "白纳村"], key=natural_key) == ["", "德庆村", "白纳村"]


def test_by_name_takes_any_name_reader():
    rows = [{"name": "第三网格"}, {"name": "第一网格"}]
    assert [r["name"] for r in by_name(rows, lambda r: r["name"])] == ["第一网格", "第三网格"]


@pytest.fixture
def grids(cast):
    for name in ("第四网格", "第三网格", "第二网格"):
        services.jurisdiction_create(actor=None, name=name, level=Level.GRID,
                                     parent=cast.community_b1)
    return cast


def test_the_breakdown_lists_grids_as_counted(grids):
    rows = kpis.breakdown(grids.regulator_b, grids.community_b1, datetime.date(2026, 12, 1),
                          datetime.date(2026, 12, 4), stored=False)
    names = [r["name"] for r in rows]
    assert names == ["第一网格", "第二网格", "第三网格", "第四网格"]


def test_the_unreached_page_links_grids_as_counted(grids):
    client = Client()
    client.force_login(grids.inspector)
    body = client.get("/inspections/unreached/",
                      {"jurisdiction": f"#{grids.community_b1.pk}"}).content.decode()
    links = re.findall(r'btn-ghost-primary" href="\?jurisdiction=[^"]*">([^<]+)</a>', body)
    assert links == ["第一网格", "第二网格", "第三网格", "第四网格"]
