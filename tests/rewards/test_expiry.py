"""Points expiry across dated lots, what /me warns about, and holds that expire."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from core.clock import now
from identity.models import Volunteer
from ledger import queries
from ledger.models import Hold
from rewards import earning, earning_rules
from rewards.merchants import operations as merchants
from rewards.redemptions import operations as redemptions


@pytest.fixture
def volunteer(client, login_volunteer):
    login = login_volunteer("alice")
    client.patch("/api/v1/me", json={"region_code": "330106"}, headers=login["headers"])
    return login


def mint(session, volunteer_id, points, *, days):
    """Mint *points* under rules whose lots expire after *days* (as check-out would)."""
    rules = replace(earning_rules.effective(session, "330106"), points_expire_after_days=days)
    earning.mint(
        session,
        volunteer_id=volunteer_id,
        reference=f"test-session:{volunteer_id}:{days}",
        points=points,
        rules=rules,
        memo="服务时长积分",
        meta={},
    )


def expire(app, at: datetime):
    result = app.test_cli_runner().invoke(args=["points", "expire", "--at", at.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def points_block(client, headers):
    return client.get("/api/v1/me", headers=headers).get_json()["points"]


def test_lots_expire_oldest_first_after_points_expire_after_days(
    app, client, session, volunteer, make_perk, make_merchant
):
    vid, headers = volunteer["volunteer"]["id"], volunteer["headers"]
    mint(session, vid, 100, days=10)
    mint(session, vid, 200, days=40)
    mint(session, vid, 300, days=earning_rules.DEFAULTS.points_expire_after_days)

    block = points_block(client, headers)
    assert block["balance"] == 600
    assert block["expiring_soon"]["points"] == 100
    before = datetime.fromisoformat(block["expiring_soon"]["before"])
    assert abs(before - (now() + timedelta(days=30))) < timedelta(minutes=1)

    # Spending 150 takes the soonest-expiring lot first: all of the 100, then 50 of the 200.
    merchant = make_merchant()
    perk = make_perk(merchant, cost_points=150)
    staff = make_staff_volunteer(session, merchant)
    reserved = redemptions.reserve(session, volunteer_id=vid, perk_id=perk.id, star_level=0)
    redemptions.confirm(session, staff_volunteer_id=staff, code=reserved.code)
    assert points_block(client, headers)["expiring_soon"]["points"] == 0

    assert "expired 0 points" in expire(app, now() + timedelta(days=11))
    assert "expired 150 points" in expire(app, now() + timedelta(days=41))
    assert queries.volunteer_balance(session, vid).balance == 300
    kinds = [
        e["kind"] for e in client.get("/api/v1/me/ledger", headers=headers).get_json()["items"]
    ]
    assert kinds[0] == "expire" and kinds.count("expire") == 1
    assert "expired 300 points" in expire(app, now() + timedelta(days=731))
    assert queries.volunteer_balance(session, vid).balance == 0
    verify = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert verify.exit_code == 0, verify.output


def test_held_points_do_not_expire_until_the_hold_is_released(app, session, volunteer, make_perk):
    vid = volunteer["volunteer"]["id"]
    mint(session, vid, 100, days=5)
    perk = make_perk(cost_points=100)
    reserved = redemptions.reserve(session, volunteer_id=vid, perk_id=perk.id, star_level=0)

    assert "expired 0 points" in expire(app, now() + timedelta(days=6))
    redemptions.cancel(session, volunteer_id=vid, redemption_id=reserved.redemption_id)
    assert "expired 100 points" in expire(app, now() + timedelta(days=6))
    assert queries.volunteer_balance(session, vid).balance == 0


def test_holds_that_expire_release_points_stock_and_allowance(
    app, client, session, volunteer, make_perk
):
    vid, headers = volunteer["volunteer"]["id"], volunteer["headers"]
    mint(session, vid, 100, days=30)
    perk = make_perk(cost_points=100, stock=1, per_user_limit=1)
    reserved = redemptions.reserve(session, volunteer_id=vid, perk_id=perk.id, star_level=0)
    assert points_block(client, headers)["available"] == 0

    runner = app.test_cli_runner()
    early = runner.invoke(args=["redemptions", "expire-holds", "--at", now().isoformat()])
    assert "released 0 expired holds" in early.output and "expired 0 redemptions" in early.output
    later = (now() + timedelta(minutes=15, seconds=1)).isoformat()
    result = runner.invoke(args=["redemptions", "expire-holds", "--at", later])
    assert "released 1 expired holds" in result.output, result.output
    assert "expired 1 redemptions" in result.output

    assert session.scalar(select(Hold.status)) == "expired"
    assert points_block(client, headers)["available"] == 100
    shown = client.get(f"/api/v1/redemptions/{reserved.redemption_id}", headers=headers)
    assert (shown.get_json()["status"], shown.get_json()["points_held"]) == ("expired", 0)
    # Stock and allowance came back: the same volunteer can reserve the one unit again.
    again = client.post("/api/v1/redemptions", json={"perk_id": perk.id}, headers=headers)
    assert again.status_code == 201, again.get_json()
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0


def test_the_hold_deadline_follows_redemption_hold_minutes(
    app, client, session, volunteer, make_perk
):
    app.config["REDEMPTION_HOLD_MINUTES"] = 3
    mint(session, volunteer["volunteer"]["id"], 100, days=30)
    perk = make_perk(cost_points=100)
    reserved = client.post(
        "/api/v1/redemptions", json={"perk_id": perk.id}, headers=volunteer["headers"]
    ).get_json()
    left = datetime.fromisoformat(reserved["expires_at"]) - now()
    assert timedelta(minutes=2) < left <= timedelta(minutes=3)


def make_staff_volunteer(session, merchant) -> int:
    staff = Volunteer(openid=f"staff-{merchant.id}", nickname="店员")
    session.add(staff)
    session.commit()
    merchants.bind(session, volunteer_id=staff.id, bind_code=merchant.bind_code)
    return staff.id
