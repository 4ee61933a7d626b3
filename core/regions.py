"""The region tree used to validate ``region_code`` and to scope staff to a subtree.

Codes are six-digit GB/T 2260 codes. A code's ancestors are read from its digits: the
province is ``PP0000``, the city ``PPCC00``. Scoping is therefore a pure function, which is
what lets every query filter by a code prefix instead of walking a tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from core.errors import InvalidRegion
from core.regions_zhejiang import CITIES, PROVINCE

PROVINCE_CODE = PROVINCE[0]


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # "province", "city" or "county"
    parent_code: str | None

    @property
    def full_name(self) -> str:
        """Return the name with its ancestors, e.g. 浙江省杭州市西湖区."""
        names = [r.name for r in ancestors(self.code)] + [self.name]
        return "".join(names)


@cache
def _all() -> dict[str, Region]:
    regions = {PROVINCE_CODE: Region(PROVINCE_CODE, PROVINCE[1], "province", None)}
    for city_code, (city_name, counties) in CITIES.items():
        regions[city_code] = Region(city_code, city_name, "city", PROVINCE_CODE)
        for county_code, county_name in counties.items():
            regions[county_code] = Region(county_code, county_name, "county", city_code)
    return regions


def get(code: str) -> Region:
    """Return the region with *code*, or raise InvalidRegion."""
    try:
        return _all()[code]
    except (KeyError, TypeError):
        raise InvalidRegion(f"未知的行政区划代码：{code}", region_code=code) from None


def is_valid(code: str) -> bool:
    return isinstance(code, str) and code in _all()


def all_regions() -> list[Region]:
    return list(_all().values())


def cities() -> list[Region]:
    return [r for r in _all().values() if r.level == "city"]


def children(code: str) -> list[Region]:
    return [r for r in _all().values() if r.parent_code == code]


def ancestors(code: str) -> list[Region]:
    """Return the regions above *code*, outermost first."""
    chain: list[Region] = []
    parent = get(code).parent_code
    while parent:
        region = get(parent)
        chain.insert(0, region)
        parent = region.parent_code
    return chain


def scope_prefix(code: str) -> str:
    """Return the code prefix every region inside *code*'s subtree starts with."""
    level = get(code).level
    return {"province": code[:2], "city": code[:4], "county": code}[level]


def contains(outer: str, inner: str) -> bool:
    """Return True when *inner* is *outer* or lies below it."""
    if not (is_valid(outer) and is_valid(inner)):
        return False
    return inner.startswith(scope_prefix(outer))


def city_of(code: str) -> Region | None:
    """Return the city *code* belongs to (itself if a city); None for the province."""
    region = get(code)
    if region.level == "province":
        return None
    return region if region.level == "city" else get(region.parent_code)
