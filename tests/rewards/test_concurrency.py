"""Real threads on real PostgreSQL connections, through the whole HTTP stack.

Each thread has its own test client, so each request runs in its own app context with its
own session and connection; a barrier releases them at the same instant.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from identity.models import Volunteer
from ledger import operations as ledger_ops
from ledger import queries
from miniprogram_api.auth import issue_volunteer_tokens
from miniprogram_api.extensions import db
from rewards.merchants import operations as merchants
from rewards.perks import operations as perks
from rewards.perks.models import Perk
from rewards.redemptions.models import Redemption, RedemptionAllowance

pytestmark = pytest.mark.postgres


@pytest.fixture
def racing_app(app_factory):
    """An app whose pool has a connection for every racing thread."""
    app = app_factory(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 45, "max_overflow": 0, "pool_timeout": 60}
    )
    with app.app_context():
        yield app


def race(app, count, request):
    """Run *request(client, index)* in *count* threads released together; return responses."""
    start = threading.Barrier(count)

    def run(index):
        client = app.test_client()
        start.wait()
        response = request(client, index)
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def outcomes(results):
    return Counter(
        body.get("code", status) if status >= 400 else status for status, body in results
    )


def ledger_verifies(app) -> bool:
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    return result.exit_code == 0 and "ledger OK" in result.output


def volunteer(app, points=0, nickname="志愿者"):
    row = Volunteer(openid=f"race-{uuid.uuid4().hex}", nickname=nickname, region_code="330106")
    db.session.add(row)
    db.session.commit()
    if points:
        ledger_ops.earn(db.session, row.id, points, reference=f"race:{row.id}")
    with app.test_request_context():
        token = issue_volunteer_tokens(SimpleNamespace(id=row.id))["access_token"]
    return row.id, {"Authorization": f"Bearer {token}"}


def perk(**fields):
    merchant = merchants.create_merchant(
        db.session, name="西湖边咖啡馆", region_code="330106", staff_id=None
    )
    values = {"title": "美式咖啡一杯", "cost_points": 100, **fields}
    stock = values.pop("stock", 10)
    offered = perks.create_perk(
        db.session, merchant_id=merchant.id, stock=stock, staff_id=None, **values
    )
    # Plain values: the racing threads have no app context to reload expired objects in.
    return SimpleNamespace(id=merchant.id, bind_code=merchant.bind_code), SimpleNamespace(
        id=offered.id
    )


def staff_of(app, merchant):
    staff_id, headers = volunteer(app, nickname="店员")
    merchants.bind(db.session, volunteer_id=staff_id, bind_code=merchant.bind_code)
    return headers


def reserve(client, headers, perk_id, key=None):
    return client.post(
        "/api/v1/redemptions",
        json={"perk_id": perk_id},
        headers={**headers, "Idempotency-Key": key or uuid.uuid4().hex},
    )


def test_forty_volunteers_racing_for_ten_units_reserve_exactly_ten(racing_app):
    _, offered = perk(stock=10, per_user_limit=1)
    people = [volunteer(racing_app, points=100) for _ in range(40)]

    results = race(racing_app, 40, lambda c, i: reserve(c, people[i][1], offered.id))

    assert outcomes(results) == {201: 10, "OUT_OF_STOCK": 30}, outcomes(results)
    db.session.expire_all()
    assert db.session.get(Perk, offered.id).stock_left == 0
    assert db.session.scalar(select(func.sum(RedemptionAllowance.used))) == 10
    held = [queries.volunteer_balance(db.session, vid).held for vid, _ in people]
    assert sorted(held) == [0] * 30 + [100] * 10
    codes = {body["code"] for status, body in results if status == 201}
    assert len(codes) == 10
    assert ledger_verifies(racing_app)


def test_twenty_racing_spends_of_100_from_500_succeed_exactly_five_times(racing_app):
    _, offered = perk(stock=100, per_user_limit=None)
    spender, headers = volunteer(racing_app, points=500)

    results = race(racing_app, 20, lambda c, i: reserve(c, headers, offered.id))

    assert outcomes(results) == {201: 5, "INSUFFICIENT_POINTS": 15}, outcomes(results)
    balance = queries.volunteer_balance(db.session, spender)
    assert (balance.balance, balance.held, balance.available) == (500, 500, 0)
    db.session.expire_all()
    assert db.session.get(Perk, offered.id).stock_left == 95
    assert ledger_verifies(racing_app)


def test_ten_copies_of_one_idempotency_key_reserve_once(racing_app):
    _, offered = perk(stock=10, per_user_limit=None)
    spender, headers = volunteer(racing_app, points=1000)

    results = race(racing_app, 10, lambda c, i: reserve(c, headers, offered.id, key="same-tap"))

    created = [body for status, body in results if status == 201]
    assert set(outcomes(results)) <= {201, "IDEMPOTENCY_KEY_IN_USE"}, outcomes(results)
    assert created and all(body == created[0] for body in created)
    assert db.session.scalar(select(func.count(Redemption.id))) == 1
    assert queries.volunteer_balance(db.session, spender).held == 100
    assert ledger_verifies(racing_app)


def test_ten_racing_confirms_of_one_code_fulfil_it_exactly_once(racing_app):
    merchant, offered = perk(cost_points=120)
    _, headers = volunteer(racing_app, points=500)
    tills = [staff_of(racing_app, merchant) for _ in range(10)]
    code = reserve(racing_app.test_client(), headers, offered.id).get_json()["code"]

    results = race(
        racing_app,
        10,
        lambda c, i: c.post(
            "/api/v1/merchant/redemptions/confirm", json={"code": code}, headers=tills[i]
        ),
    )

    assert outcomes(results) == {200: 1, "ALREADY_FULFILLED": 9}, outcomes(results)
    assert queries.balance_of(db.session, f"merchant:{merchant.id}").balance == 120
    assert ledger_verifies(racing_app)


def test_cancel_racing_confirm_one_wins_and_the_other_is_told_why(racing_app):
    merchant, offered = perk(stock=20, per_user_limit=None)
    spender, headers = volunteer(racing_app, points=2000)
    till = staff_of(racing_app, merchant)
    seen = Counter()

    for _ in range(10):
        reserved = reserve(racing_app.test_client(), headers, offered.id).get_json()

        def act(client, index, reserved=reserved):
            if index == 0:
                return client.delete(
                    f"/api/v1/redemptions/{reserved['redemption_id']}", headers=headers
                )
            return client.post(
                "/api/v1/merchant/redemptions/confirm",
                json={"code": reserved["code"]},
                headers=till,
            )

        (cancel_status, cancel_body), (confirm_status, confirm_body) = race(racing_app, 2, act)
        if cancel_status == 200:
            assert cancel_body["status"] == "cancelled"
            assert (confirm_status, confirm_body["code"]) == (409, "REDEMPTION_CANCELLED")
            seen["cancel won"] += 1
        else:
            assert (cancel_status, cancel_body["code"]) == (409, "ALREADY_FULFILLED")
            assert (confirm_status, confirm_body["status"]) == (200, "fulfilled")
            seen["confirm won"] += 1

    paid = queries.balance_of(db.session, f"merchant:{merchant.id}").balance
    balance = queries.volunteer_balance(db.session, spender)
    assert paid == 100 * seen["confirm won"]
    assert (balance.balance, balance.held) == (2000 - paid, 0)
    db.session.expire_all()
    assert db.session.get(Perk, offered.id).stock_left == 20 - seen["confirm won"]
    assert ledger_verifies(racing_app)
