"""ledger_post(): a whole posting in one statement on PostgreSQL

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 11:50:00

The function does on the server what ``ledger.postings.record`` does in Python on SQLite (the
reference implementation): lock the accounts in id order, check that no account without
``allow_negative`` goes below its held amount, insert the transaction (a used reference or an
already reversed transaction makes it a no-op), append one entry per account with its running
balance, version and chain hash (``ledger.chain.entry_hash``: the same text, the same sha256),
save the accounts, open a lot for a volunteer's credit and consume the oldest lots for a
debit. Why on the server: a posting is CPU-bound in the Python client, and one statement
instead of five round trips is most of the difference (docs/benchmarks.md).

It never raises for a business refusal; it answers with a status row instead, so the caller
raises the named error and the transaction rolls back as a whole:
- ``missing``: one row per account code that does not exist (the caller creates them, calls again);
- ``insufficient``: the account and its available amount;
- ``duplicate``: the reference (or the reversal) is taken;
- ``ok``: one row per account with its entry id, balance after and version.
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


LEDGER_POST = r"""
CREATE FUNCTION ledger_post(
    p_kind text, p_memo text, p_metadata json, p_reference text, p_reverses_id bigint,
    p_effective_at timestamptz, p_at timestamptz,
    p_codes text[], p_amounts bigint[], p_helds bigint[], p_lot_expires_at timestamptz
) RETURNS TABLE (
    r_status text, r_transaction_id bigint, r_code text, r_entry_id bigint,
    r_balance_after bigint, r_version bigint, r_available bigint
) LANGUAGE plpgsql AS $$
DECLARE
    acct record;
    leg int;
    ids bigint[] := '{}';
    codes text[] := '{}';
    kinds text[] := '{}';
    amounts bigint[] := '{}';
    balances bigint[] := '{}';
    helds bigint[] := '{}';
    versions bigint[] := '{}';
    heads text[] := '{}';
    v_held bigint;
    v_tx bigint;
    v_amount bigint;
    v_balance bigint;
    v_version bigint;
    v_head text;
    v_entry bigint;
BEGIN
    -- One lock order for every writer: two postings in opposite directions queue, never deadlock.
    FOR acct IN
        SELECT a.id, a.code, a.kind, a.allow_negative, a.balance, a.held, a.version, a.head_hash
        FROM ledger_accounts a WHERE a.code = ANY(p_codes) ORDER BY a.id FOR UPDATE
    LOOP
        leg := array_position(p_codes, acct.code::text);
        -- p_helds: the held amount after this posting (a hold being posted), NULL: unchanged.
        v_held := coalesce(p_helds[leg], acct.held);
        IF NOT acct.allow_negative AND acct.balance - v_held + p_amounts[leg] < 0 THEN
            RETURN QUERY SELECT 'insufficient', NULL::bigint, acct.code::text, NULL::bigint,
                                NULL::bigint, NULL::bigint, acct.balance - v_held;
            RETURN;
        END IF;
        ids := ids || acct.id;
        codes := codes || acct.code::text;
        kinds := kinds || acct.kind::text;
        amounts := amounts || p_amounts[leg];
        balances := balances || acct.balance;
        helds := helds || v_held;
        versions := versions || acct.version;
        heads := heads || acct.head_hash::text;
    END LOOP;

    IF cardinality(codes) < cardinality(p_codes) THEN
        RETURN QUERY SELECT 'missing', NULL::bigint, wanted, NULL::bigint, NULL::bigint,
                            NULL::bigint, NULL::bigint
                     FROM unnest(p_codes) AS wanted WHERE wanted <> ALL(codes);
        RETURN;
    END IF;

    INSERT INTO ledger_transactions
        (id, kind, memo, metadata, reference, reverses_id, effective_at, created_at)
    VALUES (nextval('ledger_transactions_id_seq'), p_kind, p_memo, p_metadata, p_reference,
            p_reverses_id, p_effective_at, p_at)
    ON CONFLICT DO NOTHING
    RETURNING id INTO v_tx;
    IF v_tx IS NULL THEN
        RETURN QUERY SELECT 'duplicate', NULL::bigint, NULL::text, NULL::bigint, NULL::bigint,
                            NULL::bigint, NULL::bigint;
        RETURN;
    END IF;

    FOR leg IN 1 .. cardinality(ids) LOOP
        v_amount := amounts[leg];
        v_balance := balances[leg] + v_amount;
        v_version := versions[leg] + 1;
        -- ledger.chain.entry_hash: sha256 of "prev|account|version|transaction|amount|balance".
        v_head := encode(sha256(convert_to(
            heads[leg] || '|' || ids[leg] || '|' || v_version || '|' || v_tx || '|' || v_amount
            || '|' || v_balance, 'UTF8')), 'hex');
        INSERT INTO ledger_entries
            (transaction_id, account_id, amount, balance_after, version, hash, created_at)
        VALUES (v_tx, ids[leg], v_amount, v_balance, v_version, v_head, p_at)
        RETURNING id INTO v_entry;
        UPDATE ledger_accounts
        SET balance = v_balance, held = helds[leg], version = v_version, head_hash = v_head
        WHERE id = ids[leg];
        IF kinds[leg] = 'volunteer' AND v_amount > 0 THEN
            INSERT INTO ledger_lots
                (account_id, transaction_id, amount, remaining, expires_at, created_at)
            VALUES (ids[leg], v_tx, v_amount, v_amount, p_lot_expires_at, p_at);
        ELSIF kinds[leg] = 'volunteer' THEN
            -- ledger.lots.consume: a running total in consumption order says what is left.
            UPDATE ledger_lots AS l
            SET remaining = CASE WHEN o.running > -v_amount THEN o.running + v_amount ELSE 0 END
            FROM (
                SELECT x.id, x.remaining,
                       sum(x.remaining) OVER (ORDER BY x.expires_at ASC NULLS LAST, x.id)
                           AS running
                FROM ledger_lots x
                WHERE x.account_id = ids[leg] AND x.remaining > 0
            ) AS o
            WHERE l.id = o.id AND o.running - o.remaining < -v_amount;
        END IF;
        r_status := 'ok';
        r_transaction_id := v_tx;
        r_code := codes[leg];
        r_entry_id := v_entry;
        r_balance_after := v_balance;
        r_version := v_version;
        r_available := v_balance - helds[leg];
        RETURN NEXT;
    END LOOP;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(LEDGER_POST)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'DROP FUNCTION ledger_post(text, text, json, text, bigint, timestamptz, '
            'timestamptz, text[], bigint[], bigint[], timestamptz)'
        )
