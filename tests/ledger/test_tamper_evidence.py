"""The database refuses edits of the ledger, and verify catches what goes around it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.clock import now
from ledger import accounts, operations
from ledger.verify import verify


@pytest.fixture
def posted(session, make_volunteer):
    volunteer = make_volunteer()
    earned = operations.earn(session, volunteer, 100, reference="session:1")
    operations.redeem(session, volunteer, 1, 30)
    assert verify(session).ok
    return earned.entries[accounts.volunteer_code(volunteer)]


def _without_triggers(session) -> None:
    """Switch the append-only triggers off for this transaction, as an intruder with DDL might."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        session.execute(text("DROP TRIGGER ledger_entries_no_update"))
        session.execute(text("DROP TRIGGER ledger_entries_no_delete"))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entries SET amount = amount + 1 WHERE id = :id",
        "DELETE FROM ledger_entries WHERE id = :id",
        "UPDATE ledger_transactions SET memo = 'edited' "
        "WHERE id = (SELECT transaction_id FROM ledger_entries WHERE id = :id)",
        "DELETE FROM ledger_transactions "
        "WHERE id = (SELECT transaction_id FROM ledger_entries WHERE id = :id)",
    ],
)
def test_the_database_refuses_to_edit_entries_and_transactions(session, posted, statement):
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text(statement), {"id": posted.id})
    session.rollback()
    assert verify(session).ok


@pytest.mark.postgres
def test_truncating_the_entries_is_refused(session, posted):
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text("TRUNCATE ledger_entries CASCADE"))
    session.rollback()


def test_verify_catches_an_entry_edited_with_the_triggers_off(session, posted):
    _without_triggers(session)
    session.execute(
        text("UPDATE ledger_entries SET amount = amount + 500 WHERE id = :id"), {"id": posted.id}
    )
    session.commit()

    report = verify(session)
    assert not report.ok
    assert "zero sum per transaction" in report.problems
    assert "running balances and hash chain" in report.problems
    assert "LEDGER INCONSISTENT" in report.render()


def test_verify_catches_a_tampered_cached_balance(session, posted):
    session.execute(
        text("UPDATE ledger_accounts SET balance = balance + 1000, held = 0 WHERE id = :id"),
        {"id": _account_id(session, posted.account_code)},
    )
    session.commit()

    report = verify(session)
    assert set(report.problems) >= {
        "balances equal the sum of entries",
        "lots sum to volunteer balances",
        "all accounts sum to zero",
    }


def test_verify_catches_a_balanced_pair_forged_behind_the_api(session, posted):
    """An intruder inserts a neat, zero-sum transaction and fixes up the cached balances."""
    volunteer_id = _account_id(session, posted.account_code)
    volunteer = int(posted.account_code.split(":")[1])
    issuance_id = _account_id(session, accounts.issuance_code_for(volunteer))
    moment = now()
    transaction_id = session.execute(
        text(
            "INSERT INTO ledger_transactions (kind, memo, metadata, effective_at, created_at) "
            "VALUES ('earn', 'forged', '{}', :at, :at) RETURNING id"
        ),
        {"at": moment},
    ).scalar_one()
    for account_id, amount in ((volunteer_id, 1000), (issuance_id, -1000)):
        version, balance = session.execute(
            text("SELECT version, balance FROM ledger_accounts WHERE id = :id"), {"id": account_id}
        ).one()
        session.execute(
            text(
                "INSERT INTO ledger_entries (transaction_id, account_id, amount, balance_after, "
                "version, hash, created_at) VALUES (:t, :a, :amount, :after, :v, :h, :at)"
            ),
            {
                "t": transaction_id,
                "a": account_id,
                "amount": amount,
                "after": balance + amount,
                "v": version + 1,
                "h": "f" * 64,
                "at": moment,
            },
        )
        session.execute(
            text(
                "UPDATE ledger_accounts SET balance = balance + :amount, version = version + 1 "
                "WHERE id = :id"
            ),
            {"amount": amount, "id": account_id},
        )
    session.commit()

    report = verify(session)
    assert not report.ok
    assert "running balances and hash chain" in report.problems
    assert "zero sum per transaction" not in report.problems  # the forgery balances…
    assert "lots sum to volunteer balances" in report.problems  # …but leaves marks


def test_the_root_digest_changes_with_any_new_entry(session, posted, make_volunteer):
    before = verify(session).root
    operations.earn(session, make_volunteer(), 1)
    after = verify(session)
    assert after.ok and after.root != before


def _account_id(session, code: str) -> int:
    return session.execute(
        text("SELECT id FROM ledger_accounts WHERE code = :code"), {"code": code}
    ).scalar_one()
