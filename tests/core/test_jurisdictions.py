import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ranan.core import services
from ranan.core.choices import Level
from ranan.core.models import Jurisdiction, path_upper_bound


def test_a_subtree_is_one_query_and_holds_exactly_the_descendants(cast):
    with CaptureQueriesContext(connection) as queries:
        names = set(cast.district_a.descendants().values_list("name", flat=True))
    assert len(queries) == 1
    assert names == {"甲乡", "一村", "二村"}
    assert "乙社区" not in set(cast.city.descendants().filter(level=Level.GRID)
                            .values_list("parent__name", flat=True)) - {"乙社区"}


def test_the_subtree_query_uses_the_path_index(cast):
    qs = Jurisdiction.objects.filter(
        path__gte=cast.district_a.path, path__lt=path_upper_bound(cast.district_a.path))
    plan = qs.explain()
    if connection.vendor == "sqlite":
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    else:
        # PostgreSQL may prefer a sequential scan on a tiny table; forbid it to see the index.
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            plan = qs.explain()
            cursor.execute("SET enable_seqscan = on")
        assert "Index" in plan, plan


def test_the_path_upper_bound_carries():
    assert path_upper_bound("0000000100000009") == "0000000100000010"
    assert path_upper_bound("00000099") == "00000100"


def test_ancestors_come_root_first(cast):
    assert [a.name for a in cast.village_a1.ancestors()] == ["测试省", "测试市", "甲区", "甲乡"]
    assert cast.village_a1.full_name == "测试省 / 测试市 / 甲区 / 甲乡 / 一村"


def test_a_child_cannot_sit_above_its_parent(cast):
    with pytest.raises(ValidationError) as exc:
        services.jurisdiction_create(actor=cast.admin, name="错", level=Level.CITY,
                                     parent=cast.township)
    assert "level" in exc.value.error_dict


def test_a_division_code_is_digits_and_unique(cast):
    with pytest.raises(ValidationError) as exc:
        services.jurisdiction_create(actor=cast.admin, name="三村", level=Level.VILLAGE,
                                     parent=cast.township, code="99A")
    assert "code" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.jurisdiction_create(actor=cast.admin, name="三村", level=Level.VILLAGE,
                                     parent=cast.township, code="990101100201")
    assert "code" in exc.value.error_dict
    assert not Jurisdiction.objects.filter(name="三村").exists()


def test_an_admin_cannot_create_outside_its_area(cast):
    with pytest.raises(ValidationError) as exc:
        services.jurisdiction_create(actor=cast.admin_a, name="外村", level=Level.VILLAGE,
                                     parent=cast.subdistrict)
    assert "parent" in exc.value.error_dict


def test_only_an_admin_creates_jurisdictions(cast):
    with pytest.raises(PermissionDenied):
        services.jurisdiction_create(actor=cast.regulator_a, name="三村", level=Level.VILLAGE,
                                     parent=cast.township)


def test_lookup_by_code_names_the_problem(cast):
    assert services.jurisdiction_by_code("990101") == cast.district_a
    for bad, fragment in [("", "required"), ("abc", "digits"), ("123456", "Unknown")]:
        with pytest.raises(ValidationError) as exc:
            services.jurisdiction_by_code(bad, field="parent")
        assert fragment in str(exc.value.error_dict["parent"])
