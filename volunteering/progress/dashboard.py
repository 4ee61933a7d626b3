"""The 2027 dashboard: progress province-wide (or in the caller's region) and per city.

Every figure is either a small count (teams, stations, trainings, projects: hundreds of rows;
volunteers: one grouped index scan) or a sum over the ``stats`` rollups, whose size follows
regions and months. Nothing here scans sessions, redemptions or ledger entries, so the cost
does not grow with them. A plain function returning dataclasses: the API and the console both
render it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, func, literal_column, select
from sqlalchemy.orm import Session

from core import regions
from core.clock import business_time, now
from identity.models import Volunteer
from stats import metrics, rollups
from volunteering.activities.models import Project, Team
from volunteering.progress import targets
from volunteering.progress.targets import Progress
from volunteering.stations.models import Station
from volunteering.trainings.models import Training


@dataclass(frozen=True)
class RegionRef:
    code: str
    name: str


@dataclass(frozen=True)
class Hours:
    system_minutes: int
    manual_minutes: int
    sessions_approved: int

    @property
    def minutes(self) -> int:
        return self.system_minutes + self.manual_minutes

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


@dataclass(frozen=True)
class Points:
    """Gross flows of points; outstanding is what they leave with volunteers."""

    issued: int
    reversed: int
    adjusted: int
    redeemed: int
    expired: int
    outstanding: int


@dataclass(frozen=True)
class Stations:
    total: int
    meeting_all_standards: int

    @property
    def ratio(self) -> float:
        return round(self.meeting_all_standards / self.total, 4) if self.total else 0.0


@dataclass(frozen=True)
class CountyTraining:
    region: RegionRef
    volunteer_trainings: int

    @property
    def met(self) -> bool:
        return self.volunteer_trainings >= 1


@dataclass(frozen=True)
class CityTraining:
    """This year's compliance: one leaders' training by the city, one volunteers' per county.

    ``leader_trainings`` and ``leaders_met`` are None for a county's staff (the city's own
    trainings lie outside their region).
    """

    leader_trainings: int | None
    leaders_met: bool | None
    counties: list[CountyTraining]
    trainings: int
    attendees: int

    @property
    def counties_lacking(self) -> list[RegionRef]:
        return [county.region for county in self.counties if not county.met]

    @property
    def met(self) -> bool:
        return self.leaders_met is not False and not self.counties_lacking


@dataclass(frozen=True)
class Figures:
    """What the dashboard shows for one scope: the caller's whole region, or one city in it."""

    region: RegionRef
    teams: Progress
    volunteers: Progress
    brand_projects: Progress
    training: Progress
    stations: Stations
    hours_this_year: Hours
    hours_all_time: Hours
    points: Points
    brand_projects_total: int = 0
    trainings_this_year: int = 0
    attendees_this_year: int = 0


@dataclass(frozen=True)
class CityFigures(Figures):
    training_detail: CityTraining | None = None


@dataclass(frozen=True)
class Dashboard:
    as_of: datetime
    year: int
    target_year: int
    region: RegionRef
    overall: Figures
    cities: list[CityFigures] = field(default_factory=list)


def _ref(region: regions.Region) -> RegionRef:
    return RegionRef(region.code, region.name)


def _city_key(column):
    """The four-digit city prefix of a region code column (``3301`` for 330106).

    Literal positions: bound ones would differ between SELECT and GROUP BY on PostgreSQL.
    """
    return func.substr(column, literal_column("1"), literal_column("4"))


def _count_by_city(session: Session, column, prefix: str, *conditions) -> dict[str, int]:
    rows = session.execute(
        select(_city_key(column), func.count())
        .where(column.startswith(prefix), *conditions)
        .group_by(_city_key(column))
    )
    return {key: int(count) for key, count in rows}


def _stations_by_city(session: Session, prefix: str) -> dict[str, Stations]:
    all_six = and_(
        Station.has_venue,
        Station.has_team,
        Station.has_project,
        Station.has_facilities,
        Station.has_rules,
        Station.has_signage,
    )
    rows = session.execute(
        select(
            _city_key(Station.region_code),
            func.count(),
            func.coalesce(func.sum(case((all_six, 1), else_=0)), 0),
        )
        .where(Station.region_code.startswith(prefix), Station.is_active)
        .group_by(_city_key(Station.region_code))
    )
    return {key: Stations(int(total), int(meeting)) for key, total, meeting in rows}


@dataclass
class _TrainingCounts:
    by_region: dict[tuple[str, str, str], int]  # (region_code, level, audience) -> trainings
    trainings: dict[str, int]  # city key -> trainings
    attendees: dict[str, int]  # city key -> attendees


def _trainings(session: Session, prefix: str, year: int) -> _TrainingCounts:
    rows = session.execute(
        select(
            Training.region_code,
            Training.level,
            Training.audience,
            func.count(),
            func.coalesce(func.sum(Training.attendees), 0),
        )
        .where(
            Training.region_code.startswith(prefix),
            Training.held_on >= date(year, 1, 1),
            Training.held_on < date(year + 1, 1, 1),
        )
        .group_by(Training.region_code, Training.level, Training.audience)
    )
    counts = _TrainingCounts({}, defaultdict(int), defaultdict(int))
    for region_code, level, audience, count, attendees in rows:
        counts.by_region[(region_code, level, audience)] = int(count)
        counts.trainings[region_code[:4]] += int(count)
        counts.attendees[region_code[:4]] += int(attendees)
    return counts


def _rollups_by_city(
    session: Session, prefix: str, year: int
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Return (all time, this year) metric totals per city key; "" collects the whole scope."""
    all_time: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    this_year: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    period = (date(year, 1, 1), date(year + 1, 1, 1))
    for region in rollups.totals_by_region(session, prefix=prefix, period=period):
        for key in (region.region_code[:4], ""):
            for metric, value in region.all_time.items():
                all_time[key][metric] += value
            for metric, value in region.in_period.items():
                this_year[key][metric] += value
    return all_time, this_year


def _hours(totals: dict[str, int]) -> Hours:
    return Hours(
        totals.get(metrics.MINUTES_SYSTEM, 0),
        totals.get(metrics.MINUTES_MANUAL, 0),
        totals.get(metrics.SESSIONS_APPROVED, 0),
    )


def _points(totals: dict[str, int]) -> Points:
    return Points(
        issued=totals.get(metrics.POINTS_ISSUED, 0),
        reversed=totals.get(metrics.POINTS_REVERSED, 0),
        adjusted=totals.get(metrics.POINTS_ADJUSTED, 0),
        redeemed=totals.get(metrics.POINTS_REDEEMED, 0),
        expired=totals.get(metrics.POINTS_EXPIRED, 0),
        outstanding=metrics.outstanding(totals),
    )


def _city_training(
    counts: _TrainingCounts, city: regions.Region, scope: regions.Region
) -> CityTraining:
    counties = [scope] if scope.level == "county" else regions.children(city.code)
    leaders = None
    if scope.level != "county":
        leaders = counts.by_region.get((city.code, "city", "leaders"), 0)
    key = city.code[:4]
    return CityTraining(
        leader_trainings=leaders,
        leaders_met=None if leaders is None else leaders >= 1,
        counties=[
            CountyTraining(_ref(c), counts.by_region.get((c.code, "county", "volunteers"), 0))
            for c in counties
        ],
        trainings=counts.trainings.get(key, 0),
        attendees=counts.attendees.get(key, 0),
    )


def dashboard(session: Session, region_code: str, *, at: datetime | None = None) -> Dashboard:
    """Return the dashboard of *region_code*'s subtree (a staff member's region) as of *at*."""
    at = at or now()
    year = business_time(at).year
    scope = regions.get(region_code)
    prefix = regions.scope_prefix(scope.code)
    province_wide = scope.level == "province"
    cities = regions.cities() if province_wide else [regions.city_of(scope.code)]

    teams = _count_by_city(session, Team.region_code, prefix)
    volunteers = _count_by_city(session, Volunteer.region_code, prefix)
    brand = _count_by_city(session, Project.region_code, prefix, Project.is_brand)
    stations = _stations_by_city(session, prefix)
    trainings = _trainings(session, prefix, year)
    all_time, this_year = _rollups_by_city(session, prefix, year)
    # Per city: a county's staff see their county's share of it only.
    brand_target = None if scope.level == "county" else targets.BRAND_PROJECTS_PER_CITY

    city_figures = []
    for city in cities:
        key = city.code[:4]
        detail = _city_training(trainings, city, scope)
        city_figures.append(
            CityFigures(
                region=_ref(city),
                teams=Progress.of(teams.get(key, 0), None),
                volunteers=Progress.of(volunteers.get(key, 0), None),
                brand_projects=Progress.of(brand.get(key, 0), brand_target),
                training=Progress.of(int(detail.met), 1),
                stations=stations.get(key, Stations(0, 0)),
                hours_this_year=_hours(this_year[key]),
                hours_all_time=_hours(all_time[key]),
                points=_points(all_time[key]),
                brand_projects_total=brand.get(key, 0),
                trainings_this_year=detail.trainings,
                attendees_this_year=detail.attendees,
                training_detail=detail,
            )
        )

    volunteers_total = sum(volunteers.values())
    if province_wide:
        # Volunteers who have not chosen a region count province-wide only.
        volunteers_total = session.scalar(select(func.count()).select_from(Volunteer))
    overall = Figures(
        region=_ref(scope),
        teams=Progress.of(sum(teams.values()), targets.TEAMS if province_wide else None),
        volunteers=Progress.of(volunteers_total, targets.VOLUNTEERS if province_wide else None),
        brand_projects=Progress.of(
            sum(1 for c in city_figures if c.brand_projects.met),
            None if brand_target is None else len(city_figures),
        ),
        training=Progress.of(sum(1 for c in city_figures if c.training.met), len(city_figures)),
        stations=Stations(
            sum(s.total for s in stations.values()),
            sum(s.meeting_all_standards for s in stations.values()),
        ),
        hours_this_year=_hours(this_year[""]),
        hours_all_time=_hours(all_time[""]),
        points=_points(all_time[""]),
        brand_projects_total=sum(brand.values()),
        trainings_this_year=sum(trainings.trainings.values()),
        attendees_this_year=sum(trainings.attendees.values()),
    )
    return Dashboard(at, year, targets.TARGET_YEAR, _ref(scope), overall, city_figures)
