"""``flask ledger verify`` and the periodic jobs, through the Flask CLI."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from core.clock import now
from ledger import accounts, holds, idempotency, operations, queries


def test_verify_exits_zero_on_a_sound_ledger(app, session, make_volunteer):
    operations.earn(session, make_volunteer(), 10)
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert "ledger OK" in result.output


def test_verify_exits_one_with_a_report_when_a_balance_was_edited(app, session, make_volunteer):
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 10)
    session.execute(
        text("UPDATE ledger_accounts SET balance = 99 WHERE code = :code"),
        {"code": accounts.volunteer_code(volunteer)},
    )
    session.commit()
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "[FAIL] balances equal the sum of entries" in result.output
    assert f"volunteer:{volunteer}: cached 99, entries sum to 10" in result.output


def test_points_expire_moves_expired_lots(app, session, make_volunteer):
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 10, expires_at=now() - timedelta(seconds=1))
    result = app.test_cli_runner().invoke(args=["points", "expire"])
    assert result.exit_code == 0, result.output
    assert "expired 10 points" in result.output
    assert queries.volunteer_balance(session, volunteer).balance == 0


def test_points_expire_refuses_a_time_without_offset(app):
    result = app.test_cli_runner().invoke(args=["points", "expire", "--at", "2027-01-01T00:00"])
    assert result.exit_code == 2


def test_expire_holds_releases_holds_past_their_deadline(app, session, make_volunteer):
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 10)
    holds.reserve(
        session,
        accounts.volunteer_code(volunteer),
        accounts.merchant_code(1),
        4,
        expires_at=now() + timedelta(minutes=1),
    )
    later = (now() + timedelta(minutes=2)).isoformat()
    result = app.test_cli_runner().invoke(args=["redemptions", "expire-holds", "--at", later])
    assert result.exit_code == 0, result.output
    assert "released 1 expired holds" in result.output
    assert queries.volunteer_balance(session, volunteer).held == 0


def test_old_idempotency_keys_are_purged(app, session, make_volunteer):
    volunteer = make_volunteer()

    def work(s):
        operations.earn(s, volunteer, 1)
        return idempotency.Response(201, {})

    idempotency.run_once(session, scope="t", key="k", fingerprint="f", work=work)
    assert idempotency.purge(session) == 0
    assert idempotency.purge(session, older_than=now() + timedelta(seconds=1)) == 1
    result = app.test_cli_runner().invoke(args=["ledger", "purge-idempotency-keys"])
    assert result.exit_code == 0 and "purged 0" in result.output
