"""Rollups kept as events happen equal the rollups rebuilt from the source tables."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from core.clock import business_time, now
from ledger import queries
from rewards import earning_rules
from stats import metrics, rollups
from stats.models import RegionStat
from tests.stats.conftest import THIS_YEAR
from volunteering.progress import expiry
from volunteering.progress import rebuild as rollup_rebuild

HANGZHOU_WEST_LAKE = "330106"
NINGBO_JIANGBEI = "330205"


def _mixed_scenario(world, client, make_staff):
    """Approve, void (whole and partly spent), manual hours, redeem, adjust, expire."""
    west_lake = world.station(HANGZHOU_WEST_LAKE)
    jiangbei = world.station(NINGBO_JIANGBEI)
    alice = world.volunteer(HANGZHOU_WEST_LAKE)
    bob = world.volunteer(NINGBO_JIANGBEI)
    carol = world.volunteer(None)
    earning_rules.put(
        world.session, NINGBO_JIANGBEI, {"manual_hours_earn_points": True}, staff_id=None
    )
    world.session.commit()

    world.approved_session(alice, west_lake, 120)  # 20 points
    voided = world.approved_session(alice, west_lake, 60, date(THIS_YEAR, 1, 12))  # 10
    world.void(voided)  # all 10 recovered: a reversal
    spent = world.approved_session(bob, jiangbei, 180)  # 30 points
    world.redeem(bob, world.merchant(HANGZHOU_WEST_LAKE), 25)
    world.void(spent)  # only 5 of 30 left: a clawback adjustment of 5
    world.approved_session(bob, jiangbei, 240, date(THIS_YEAR - 1, 7, 1))  # 40, last year
    world.approved_session(carol, jiangbei, 60)  # 10
    world.manual_hours(bob, NINGBO_JIANGBEI, 90)  # 15 points: Ningbo's rules say so
    world.manual_hours(alice, HANGZHOU_WEST_LAKE, 30)  # no points under the defaults

    admin = make_staff("province_admin", "330000")
    for volunteer_id, amount in ((alice, 7), (carol, -3)):
        response = client.post(
            "/api/v1/admin/ledger/adjustments",
            json={"volunteer_id": volunteer_id, "amount": amount, "reason": "人工核对"},
            headers={**admin, "Idempotency-Key": f"adjust-{volunteer_id}"},
        )
        assert response.status_code == 201, response.get_json()
    expiry.expire_points(world.session, at=now() + timedelta(days=731))
    return alice, bob, carol


def _total(world, metric: str) -> int:
    return sum(v for (_, _, m), v in rollups.snapshot(world.session).items() if m == metric)


def test_kept_rollups_equal_a_rebuild_after_a_mixed_scenario(world, client, make_staff):
    _mixed_scenario(world, client, make_staff)
    kept = rollups.snapshot(world.session)

    assert rollup_rebuild.check(world.session) == []
    rollup_rebuild.rebuild(world.session)
    world.session.commit()
    assert rollups.snapshot(world.session) == kept


def test_the_rollups_count_each_flow_where_it_happened(world, client, make_staff):
    _mixed_scenario(world, client, make_staff)
    kept = rollups.snapshot(world.session)
    this_month = date(THIS_YEAR, 1, 1)

    assert kept[(HANGZHOU_WEST_LAKE, this_month, metrics.MINUTES_SYSTEM)] == 120
    assert kept[(HANGZHOU_WEST_LAKE, this_month, metrics.POINTS_REVERSED)] == 10
    assert kept[(NINGBO_JIANGBEI, this_month, metrics.POINTS_REVERSED)] == 5
    assert kept[(NINGBO_JIANGBEI, this_month, metrics.MINUTES_MANUAL)] == 90
    assert kept[(HANGZHOU_WEST_LAKE, this_month, metrics.MINUTES_MANUAL)] == 30
    assert kept[(NINGBO_JIANGBEI, date(THIS_YEAR - 1, 7, 1), metrics.POINTS_ISSUED)] == 40
    # The voided sessions count no minutes; the void in January took back a January approval.
    assert (NINGBO_JIANGBEI, this_month, metrics.SESSIONS_APPROVED) in kept
    assert _total(world, metrics.SESSIONS_APPROVED) == 3
    # Redeemed where the merchant is; adjusted where the volunteer lives (carol: nowhere yet).
    redeemed_at = [k for k in kept if k[2] == metrics.POINTS_REDEEMED]
    assert [k[0] for k in redeemed_at] == [HANGZHOU_WEST_LAKE]
    adjusted = {k[0]: v for k, v in kept.items() if k[2] == metrics.POINTS_ADJUSTED}
    assert adjusted == {HANGZHOU_WEST_LAKE: 7, "330000": -3}
    assert _total(world, metrics.POINTS_EXPIRED) > 0


def test_the_rollups_leave_what_the_ledger_says_is_outstanding(world, client, make_staff):
    _mixed_scenario(world, client, make_staff)
    totals: dict[str, int] = {}
    for (_, _, metric), value in rollups.snapshot(world.session).items():
        totals[metric] = totals.get(metric, 0) + value

    ledger = queries.summary(world.session)
    # Everything minted has expired; alice's +7 adjustment opened a lot that never expires.
    assert metrics.outstanding(totals) == ledger.outstanding == 7
    assert totals[metrics.POINTS_REDEEMED] == ledger.redeemed
    assert totals[metrics.POINTS_EXPIRED] == ledger.expired


def test_stats_rebuild_backfills_and_its_check_finds_a_drift(app, world, client, make_staff):
    _mixed_scenario(world, client, make_staff)
    kept = rollups.snapshot(world.session)
    runner = app.test_cli_runner()

    assert runner.invoke(args=["stats", "rebuild", "--check"]).exit_code == 0
    world.session.execute(update(RegionStat).values(value=RegionStat.value + 1))
    world.session.commit()
    drifted = runner.invoke(args=["stats", "rebuild", "--check"])
    assert drifted.exit_code == 1 and "kept" in drifted.output

    rebuilt = runner.invoke(args=["stats", "rebuild"])
    assert rebuilt.exit_code == 0 and "rebuilt" in rebuilt.output
    world.session.expire_all()
    assert rollups.snapshot(world.session) == kept


def test_a_rollup_of_many_events_spreads_over_slots_and_sums_back(world):
    station = world.station(HANGZHOU_WEST_LAKE)
    for index in range(12):
        world.approved_session(world.volunteer(HANGZHOU_WEST_LAKE), station, 30 + index)

    rows = world.session.query(RegionStat).filter_by(metric=metrics.MINUTES_SYSTEM).all()
    assert 1 < len(rows) <= 8
    assert _total(world, metrics.MINUTES_SYSTEM) == sum(30 + i for i in range(12))


def test_compacting_folds_past_months_into_one_row_and_keeps_every_total(app, world):
    station = world.station(HANGZHOU_WEST_LAKE)
    last_year = date(THIS_YEAR - 1, 5, 20)
    for index in range(12):
        volunteer = world.volunteer(HANGZHOU_WEST_LAKE)
        world.approved_session(volunteer, station, 30 + index, last_year)
        world.approved_session(volunteer, station, 30 + index, business_time(now()).date())
    kept = rollups.snapshot(world.session)

    result = app.test_cli_runner().invoke(args=["stats", "compact"])

    assert result.exit_code == 0 and "folded" in result.output
    world.session.expire_all()
    assert rollups.snapshot(world.session) == kept
    past = world.session.query(RegionStat).filter_by(month=date(THIS_YEAR - 1, 5, 1)).all()
    assert sorted(row.metric for row in past) == sorted(
        (metrics.MINUTES_SYSTEM, metrics.SESSIONS_APPROVED, metrics.POINTS_ISSUED)
    )
    assert {row.slot for row in past} == {0}
    current = world.session.query(RegionStat).filter_by(metric=metrics.MINUTES_SYSTEM).count()
    assert current > 2  # this month's slots stay spread for the writers still coming
    assert rollup_rebuild.check(world.session) == []
