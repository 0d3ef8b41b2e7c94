"""One scoping function decides what an account sees (issue 2, item 5)."""

import pytest

from ranan.core.models import Account, Jurisdiction, Organisation
from ranan.core.scoping import visible


def names(qs):
    return set(qs.values_list("name", flat=True))


def test_a_courier_sees_only_its_village(cast):
    assert names(Jurisdiction.objects.visible_to(cast.courier_a1)) == {"一村"}


def test_a_county_regulator_sees_every_village_of_its_county_and_nothing_of_the_other(cast):
    seen = names(Jurisdiction.objects.visible_to(cast.regulator_a))
    assert {"甲区", "甲乡", "一村", "二村"} == seen
    assert not seen & {"乙区", "乙街道", "乙社区", "第一网格"}


def test_enterprise_staff_see_nothing_of_another_enterprise(cast):
    # The pipeline gas company's admin, even with the whole province as area, never sees the
    # LPG company or its station.
    cast.gas_admin.area.add(cast.province)
    cast.gas_admin.__dict__.pop("area_paths", None)
    orgs = names(Organisation.objects.visible_to(cast.gas_admin))
    assert orgs == {"乙管道燃气公司"}
    people = set(Account.objects.visible_to(cast.gas_admin).values_list("username", flat=True))
    assert people == {"gas_admin", "inspector"}


def test_an_lpg_company_sees_its_stations_but_a_station_not_its_siblings(cast):
    assert names(Organisation.objects.visible_to(cast.lpg_admin)) == {"甲燃气公司", "甲液化气站"}
    assert names(Organisation.objects.visible_to(cast.station_manager)) == {"甲液化气站"}


def test_a_regulator_sees_all_enterprises_of_its_area(cast):
    assert {"甲燃气公司", "甲液化气站", "甲区市场监管局"} <= names(
        Organisation.objects.visible_to(cast.regulator_a))
    assert "乙管道燃气公司" not in names(Organisation.objects.visible_to(cast.regulator_a))


def test_an_auditor_sees_no_domain_data(cast):
    assert not Jurisdiction.objects.visible_to(cast.auditor).exists()
    assert not Organisation.objects.visible_to(cast.auditor).exists()


def test_an_account_without_area_or_inactive_sees_nothing(cast):
    cast.courier_a1.area.clear()
    cast.courier_a1.__dict__.pop("area_paths", None)
    assert not Jurisdiction.objects.visible_to(cast.courier_a1).exists()
    cast.regulator_a.is_active = False
    assert not Jurisdiction.objects.visible_to(cast.regulator_a).exists()


def test_an_area_of_several_nodes_is_their_union(cast):
    cast.courier_a1.area.add(cast.community_b1)
    cast.courier_a1.__dict__.pop("area_paths", None)
    assert names(Jurisdiction.objects.visible_to(cast.courier_a1)) == {"一村", "乙社区", "第一网格"}


def test_a_model_without_scope_cannot_be_scoped(cast):
    from ranan.core.models import AccountRole

    with pytest.raises(TypeError):
        visible(AccountRole.objects.all(), cast.admin)
