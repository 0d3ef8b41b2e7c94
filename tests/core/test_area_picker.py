"""Area filters are pickers of the account's area, not boxes for a raw division code (issue 15
item 10): the tree in order, only what the account sees, the asked node selected, and the
pages that filter by area render it."""

import re

import pytest
from django.test import Client

from ranan.core import services
from ranan.core.choices import Level
from ranan.core.filters import area_options


def labels(options):
    return [o.label.strip("\u3000") for o in options]


def test_the_tree_in_order_with_children_under_their_parent(cast):
    for name in ("第三网格", "第二网格"):
        services.jurisdiction_create(actor=None, name=name, level=Level.GRID,
                                     parent=cast.community_b1)
    options = area_options(cast.regulator_b)
    assert labels(options) == ["乙区", "乙街道", "乙社区", "第一网格", "第二网格", "第三网格"]
    depths = [len(o.label) - len(o.label.lstrip("\u3000")) for o in options]
    assert depths == [0, 1, 2, 3, 3, 3]
    assert options[0].value == cast.district_b.code
    grid = next(o for o in options if o.label.endswith("第一网格"))
    assert grid.value == (cast.grid_b1.code or f"#{cast.grid_b1.pk}")
    assert not any(o.selected for o in options)


def test_only_the_accounts_area(cast):
    names = labels(area_options(cast.regulator_a))
    assert "甲区" in names and "一村" in names
    assert "乙区" not in names and "第一网格" not in names


@pytest.mark.parametrize("asked", ["code", "#id"])
def test_the_asked_node_is_selected(cast, asked):
    value = cast.village_a1.code if asked == "code" else f"#{cast.village_a1.pk}"
    selected = [o for o in area_options(cast.regulator_a, value) if o.selected]
    assert len(selected) == 1 and selected[0].label.endswith("一村")


@pytest.mark.parametrize("value", ["999999", "#999999", "abc", "  "])
def test_an_unknown_or_out_of_area_value_is_kept_and_selected(cast, value):
    options = area_options(cast.regulator_a, value)
    assert [o.value for o in options if o.selected] == ([value] if value.strip() else [])
    # A node of another district, asked by its code, is not offered either.
    out = area_options(cast.regulator_a, cast.district_b.code)
    assert [o.label for o in out if o.selected] == [cast.district_b.code]


def test_a_large_area_leaves_out_its_deepest_level_but_keeps_the_asked_node(cast):
    options = area_options(cast.admin, limit=6)
    levels = {o.level for o in options}
    assert Level.GRID not in levels and Level.VILLAGE not in levels
    grid = f"#{cast.grid_b1.pk}" if not cast.grid_b1.code else cast.grid_b1.code
    kept = area_options(cast.admin, grid, limit=6)
    assert [o.label.strip("\u3000") for o in kept if o.selected] == ["第一网格"]


def test_an_account_without_area_gets_no_option(cast, django_user_model):
    cast.auditor.area.clear()
    assert area_options(cast.auditor) == []


def picker(body):
    match = re.search(r'<select[^>]*data-testid="area-picker".*?</select>', body, re.S)
    assert match, "no area picker on the page"
    return match.group(0)


@pytest.mark.parametrize(("account", "url"), [
    ("regulator_b", "/hazards/"),
    ("regulator_b", "/hazards/summary/"),
    ("regulator_b", "/hazards/supervision/"),
    ("regulator_b", "/hazards/by-category/"),
    ("gas_admin", "/customers/"),
    ("station_manager", "/delivery/report/"),
])
def test_the_pages_filter_by_area_with_the_picker(cast, account, url):
    client = Client()
    client.force_login(getattr(cast, account))
    answer = client.get(url)
    assert answer.status_code == 200, url
    select = picker(answer.content.decode())
    assert 'name="jurisdiction"' in select
    assert re.findall(r'<option value="([^"]*)"', select)
    assert '<input class="form-control" name="jurisdiction"' not in answer.content.decode()


def test_the_picked_area_filters_and_stays_selected(cast):
    client = Client()
    client.force_login(cast.regulator_b)
    value = cast.grid_b1.code or f"#{cast.grid_b1.pk}"
    select = picker(client.get("/hazards/", {"jurisdiction": value}).content.decode())
    assert re.search(rf'<option value="{re.escape(value)}"[^>]*selected>', select)
