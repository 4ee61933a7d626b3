import pytest

from core import regions
from core.errors import InvalidRegion


def test_zhejiang_has_eleven_cities_and_ninety_county_level_divisions():
    levels = [r.level for r in regions.all_regions()]
    assert levels.count("province") == 1
    assert levels.count("city") == 11
    assert levels.count("county") == 90


def test_every_county_belongs_to_the_city_its_code_names():
    for region in regions.all_regions():
        if region.level == "county":
            assert region.parent_code == region.code[:4] + "00"


def test_full_name_reads_from_province_down():
    assert regions.get("330106").full_name == "浙江省杭州市西湖区"
    assert regions.get("331127").full_name == "浙江省丽水市景宁畲族自治县"


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        ("330000", "331127", True),  # the province sees everything
        ("330100", "330100", True),  # a city sees itself
        ("330100", "330106", True),  # ... and its districts
        ("330100", "330203", False),  # ... but not Ningbo's
        ("330106", "330106", True),
        ("330106", "330100", False),  # a county does not see its city
        ("330100", "999999", False),  # unknown codes are outside every scope
        ("330100", None, False),
    ],
)
def test_contains_scopes_a_region_to_its_subtree(outer, inner, expected):
    assert regions.contains(outer, inner) is expected


def test_unknown_code_is_refused_with_a_chinese_message():
    with pytest.raises(InvalidRegion) as raised:
        regions.get("110000")
    assert "行政区划" in raised.value.message


def test_city_of_a_county_is_its_parent_and_the_province_has_none():
    assert regions.city_of("330106").code == "330100"
    assert regions.city_of("330100").code == "330100"
    assert regions.city_of("330000") is None
