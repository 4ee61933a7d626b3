"""ledger_post() and ledger_claim(): a posting, and an idempotency claim, in one statement each

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 11:50:00

PostgreSQL only. ``ledger_post`` does on the server what ``ledger.postings.record`` does in
Python on SQLite (the reference implementation): lock the accounts in code order, check that no account without
``allow_negative`` goes below its held amount, insert the transaction (a used reference or an
already reversed transaction makes it a no-op), append one entry per account with its running
balance, version and chain hash (``ledger.chain.entry_hash``: the same text, the same sha256),
save the accounts, open a lot for a volunteer's credit and consume the oldest lots for a
debit. Why on the server: a posting is CPU-bound in the Python client, and one statement
instead of five round trips is most of the difference (docs/benchmarks.md).

The tests hold the two implementations equal: the ledger's state machine runs on both
databases, and ``flask ledger verify`` recomputes every chain hash in Python.

An account that does not exist yet is opened, as ``ledger.accounts.create_missing`` does.
It answers with status rows:
- ``duplicate``: the reference (or the reversal) is taken;
- ``ok``: one row per account with its entry id, balance after and version;
and raises SQLSTATE ``LP001`` (detail: "available,required", hint: the account code) when an
account cannot afford its leg, which undoes the legs already written by the same call.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


LEDGER_OPEN_ACCOUNT = r"""
CREATE FUNCTION ledger_open_account(p_code text, p_at timestamptz) RETURNS void
LANGUAGE sql AS $$
    -- As ledger.accounts.create_missing: the kind is the code's prefix ("volunteer:42",
    -- "merchant:7", "system:issuance:3"), only system accounts may go negative; a racing
    -- opener of the same account is no error.
    INSERT INTO ledger_accounts
        (code, kind, volunteer_id, allow_negative, balance, held, version, head_hash, created_at)
    VALUES (p_code, split_part(p_code, ':', 1),
            CASE WHEN split_part(p_code, ':', 1) = 'volunteer'
                 THEN split_part(p_code, ':', 2)::bigint END,
            split_part(p_code, ':', 1) = 'system', 0, 0, 0, repeat('0', 64), p_at)
    ON CONFLICT DO NOTHING
$$
"""

LEDGER_POST = r"""
CREATE FUNCTION ledger_post(
    p_kind text, p_memo text, p_metadata json, p_reference text, p_reverses_id bigint,
    p_effective_at timestamptz, p_at timestamptz,
    p_codes text[], p_amounts bigint[], p_releases bigint[], p_lot_expires_at timestamptz
) RETURNS TABLE (
    r_status text, r_transaction_id bigint, r_code text, r_entry_id bigint,
    r_balance_after bigint, r_version bigint, r_amount bigint
) LANGUAGE plpgsql AS $$
DECLARE
    leg int;
    v_tx bigint;
    v_id bigint;
    v_kind text;
    v_amount bigint;
    v_balance bigint;
    v_version bigint;
    v_head text;
    v_entry bigint;
    v_left bigint;
    v_take bigint;
    v_lot record;
    v_available bigint;
BEGIN
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

    -- The caller sorts p_codes (ledger.accounts.lock_order): every writer locks accounts in
    -- that one order, so two postings in opposite directions queue instead of deadlocking.
    leg := 1;
    WHILE leg <= cardinality(p_codes) LOOP
        v_amount := p_amounts[leg];
        -- p_releases: held points this posting settles (a hold being posted); NULL: none.
        -- Lock, check and advance in one statement. Under a concurrent writer PostgreSQL waits,
        -- then re-checks the condition against the row that writer committed. The new head is
        -- ledger.chain.entry_hash: sha256 of "prev|account|version|transaction|amount|balance".
        UPDATE ledger_accounts AS a
        SET balance = a.balance + v_amount,
            held = a.held - coalesce(p_releases[leg], 0),
            version = a.version + 1,
            head_hash = encode(sha256(convert_to(
                a.head_hash || '|' || a.id || '|' || (a.version + 1) || '|' || v_tx || '|'
                || v_amount || '|' || (a.balance + v_amount), 'UTF8')), 'hex')
        WHERE a.code = p_codes[leg]
          AND (a.allow_negative
               OR a.balance - a.held + coalesce(p_releases[leg], 0) + v_amount >= 0)
        RETURNING a.id, a.kind, a.balance, a.version, a.head_hash
        INTO v_id, v_kind, v_balance, v_version, v_head;
        IF NOT FOUND THEN
            SELECT a.balance - a.held + coalesce(p_releases[leg], 0) INTO v_available
            FROM ledger_accounts a WHERE a.code = p_codes[leg];
            IF NOT FOUND THEN
                -- An account is opened on its first posting.
                PERFORM ledger_open_account(p_codes[leg], p_at);
                CONTINUE;  -- the same leg again, on the new account
            END IF;
            -- An error, not a status row: it undoes this statement's writes to the accounts
            -- before this one, so no caller can go on with half a posting.
            RAISE EXCEPTION 'insufficient points on %', p_codes[leg]
                USING ERRCODE = 'LP001', DETAIL = v_available || ',' || -v_amount,
                      HINT = p_codes[leg];
        END IF;
        INSERT INTO ledger_entries
            (transaction_id, account_id, amount, balance_after, version, hash, created_at)
        VALUES (v_tx, v_id, v_amount, v_balance, v_version, v_head, p_at)
        RETURNING id INTO v_entry;
        IF v_kind = 'volunteer' AND v_amount > 0 THEN
            INSERT INTO ledger_lots
                (account_id, transaction_id, amount, remaining, expires_at, created_at)
            VALUES (v_id, v_tx, v_amount, v_amount, p_lot_expires_at, p_at);
        ELSIF v_kind = 'volunteer' THEN
            -- ledger.lots.consume: the soonest-expiring lots first (no date: last). Mostly
            -- the first such lot covers the debit alone: one statement then.
            UPDATE ledger_lots SET remaining = remaining + v_amount
            WHERE id = (SELECT l.id FROM ledger_lots l
                        WHERE l.account_id = v_id AND l.remaining > 0
                        ORDER BY l.expires_at ASC NULLS LAST, l.id LIMIT 1)
              AND remaining >= -v_amount;
            IF NOT FOUND THEN
                v_left := -v_amount;
                FOR v_lot IN
                    SELECT l.id, l.remaining FROM ledger_lots l
                    WHERE l.account_id = v_id AND l.remaining > 0
                    ORDER BY l.expires_at ASC NULLS LAST, l.id
                LOOP
                    v_take := least(v_lot.remaining, v_left);
                    UPDATE ledger_lots SET remaining = remaining - v_take WHERE id = v_lot.id;
                    v_left := v_left - v_take;
                    EXIT WHEN v_left = 0;
                END LOOP;
            END IF;
        END IF;
        r_status := 'ok';
        r_transaction_id := v_tx;
        r_code := p_codes[leg];
        r_entry_id := v_entry;
        r_balance_after := v_balance;
        r_version := v_version;
        r_amount := v_amount;
        RETURN NEXT;
        leg := leg + 1;
    END LOOP;
END
$$
"""

# The claim of an Idempotency-Key in one statement. The advisory lock marks the key as
# running: a second copy fails to take it at once and answers IN_USE instead of queueing.
# The read is a statement of its own inside this VOLATILE function, so under READ COMMITTED
# it takes a fresh snapshot after the lock is granted: a copy that committed before we took
# the lock is seen, and its stored answer replayed.
LEDGER_CLAIM = r"""
CREATE FUNCTION ledger_claim(p_lock_key bigint, p_scope text, p_key text)
RETURNS TABLE (r_taken boolean, r_request_hash text, r_status integer, r_body json)
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(p_lock_key) THEN
        RETURN QUERY SELECT false, NULL::text, NULL::integer, NULL::json;
        RETURN;
    END IF;
    RETURN QUERY SELECT true, k.request_hash::text, k.response_status, k.response_body
                 FROM ledger_idempotency_keys k WHERE k.scope = p_scope AND k.key = p_key;
    IF NOT FOUND THEN
        RETURN QUERY SELECT true, NULL::text, NULL::integer, NULL::json;
    END IF;
END
$$
"""

# Holds, PostgreSQL side of ledger.holds.reserve and ledger.holds.post.
LEDGER_HOLD = r"""
CREATE FUNCTION ledger_hold(
    p_source text, p_destination text, p_amount bigint, p_expires_at timestamptz,
    p_reference text, p_memo text, p_at timestamptz
) RETURNS TABLE (r_status text, r_hold_id bigint, r_code text)
LANGUAGE plpgsql AS $$
DECLARE
    v_source bigint;
    v_destination bigint;
    v_hold bigint;
    v_available bigint;
BEGIN
    SELECT max(id) FILTER (WHERE code = p_source), max(id) FILTER (WHERE code = p_destination)
    INTO v_source, v_destination
    FROM ledger_accounts WHERE code IN (p_source, p_destination);
    IF v_source IS NULL OR v_destination IS NULL THEN
        PERFORM ledger_open_account(p_source, p_at);
        PERFORM ledger_open_account(p_destination, p_at);
        SELECT max(id) FILTER (WHERE code = p_source),
               max(id) FILTER (WHERE code = p_destination)
        INTO v_source, v_destination
        FROM ledger_accounts WHERE code IN (p_source, p_destination);
    END IF;
    -- The unique reference settles a duplicate: no read before the insert.
    INSERT INTO ledger_holds
        (account_id, destination_id, amount, status, reference, memo, expires_at, created_at)
    VALUES (v_source, v_destination, p_amount, 'pending', p_reference, p_memo, p_expires_at, p_at)
    ON CONFLICT DO NOTHING
    RETURNING id INTO v_hold;
    IF v_hold IS NULL THEN
        RETURN QUERY SELECT 'duplicate', NULL::bigint, NULL::text;
        RETURN;
    END IF;
    -- Only the source is locked: the destination's balance does not change until the post,
    -- so reservations for one merchant do not queue on its account.
    UPDATE ledger_accounts AS a SET held = a.held + p_amount
    WHERE a.id = v_source AND (a.allow_negative OR a.balance - a.held >= p_amount);
    IF NOT FOUND THEN
        SELECT a.balance - a.held INTO v_available FROM ledger_accounts a WHERE a.id = v_source;
        RAISE EXCEPTION 'insufficient points on %', p_source
            USING ERRCODE = 'LP001', DETAIL = v_available || ',' || p_amount, HINT = p_source;
    END IF;
    RETURN QUERY SELECT 'ok', v_hold, p_source;
END
$$
"""

# Every writer of a hold locks the hold row first, then its accounts (ledger.holds).
LEDGER_POST_HOLD = r"""
CREATE FUNCTION ledger_post_hold(p_hold_id bigint, p_kind text, p_memo text, p_at timestamptz)
RETURNS TABLE (
    r_status text, r_transaction_id bigint, r_code text, r_entry_id bigint,
    r_balance_after bigint, r_version bigint, r_amount bigint, r_detail text
) LANGUAGE plpgsql AS $$
DECLARE
    v_hold record;
    v_row record;
    v_tx bigint;
    v_memo text;
    v_codes text[];
    v_amounts bigint[];
    v_releases bigint[];
BEGIN
    SELECT h.id, h.amount, h.status, h.reference, h.memo, h.expires_at,
           s.code::text AS source, d.code::text AS destination
    INTO v_hold
    FROM ledger_holds h
    JOIN ledger_accounts s ON s.id = h.account_id
    JOIN ledger_accounts d ON d.id = h.destination_id
    WHERE h.id = p_hold_id
    FOR UPDATE OF h;
    -- Refusals: r_detail carries the hold's status, its deadline or its reference.
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::text, NULL::bigint, NULL::bigint,
                            NULL::bigint, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    IF v_hold.status <> 'pending' THEN
        RETURN QUERY SELECT 'not_pending', NULL::bigint, NULL::text, NULL::bigint, NULL::bigint,
                            NULL::bigint, NULL::bigint, v_hold.status::text;
        RETURN;
    END IF;
    IF v_hold.expires_at <= p_at THEN
        RETURN QUERY SELECT 'expired', NULL::bigint, NULL::text, NULL::bigint, NULL::bigint,
                            NULL::bigint, NULL::bigint,
                            to_char(v_hold.expires_at AT TIME ZONE 'UTC',
                                    'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"');
        RETURN;
    END IF;
    v_memo := coalesce(nullif(p_memo, ''), v_hold.memo);
    -- ledger_post() takes the legs in lock order (see ledger.accounts.lock_order).
    IF v_hold.source COLLATE "C" < v_hold.destination COLLATE "C" THEN
        v_codes := ARRAY[v_hold.source, v_hold.destination];
        v_amounts := ARRAY[-v_hold.amount, v_hold.amount];
        v_releases := ARRAY[v_hold.amount, NULL];
    ELSE
        v_codes := ARRAY[v_hold.destination, v_hold.source];
        v_amounts := ARRAY[v_hold.amount, -v_hold.amount];
        v_releases := ARRAY[NULL, v_hold.amount];
    END IF;
    FOR v_row IN
        SELECT * FROM ledger_post(
            p_kind, v_memo, json_build_object('hold_id', p_hold_id), v_hold.reference, NULL,
            p_at, p_at, v_codes, v_amounts, v_releases, NULL)
    LOOP
        IF v_row.r_status <> 'ok' THEN
            RETURN QUERY SELECT v_row.r_status, NULL::bigint, NULL::text, NULL::bigint,
                                NULL::bigint, NULL::bigint, NULL::bigint, v_hold.reference::text;
            RETURN;
        END IF;
        v_tx := v_row.r_transaction_id;
        RETURN QUERY SELECT v_row.r_status, v_row.r_transaction_id, v_row.r_code,
                            v_row.r_entry_id, v_row.r_balance_after, v_row.r_version,
                            v_row.r_amount, v_memo;
    END LOOP;
    UPDATE ledger_holds SET status = 'posted', resolved_at = p_at, transaction_id = v_tx
    WHERE id = p_hold_id;
END
$$
"""


def upgrade():
    # The idempotency keys' natural key becomes their primary key: one index and no
    # sequence fewer on every idempotent write.
    with op.batch_alter_table('ledger_idempotency_keys', schema=None) as batch_op:
        batch_op.drop_constraint('uq_ledger_idempotency_keys_scope_key', type_='unique')
        batch_op.drop_constraint('pk_ledger_idempotency_keys', type_='primary')
        batch_op.drop_column('id')
        batch_op.create_primary_key('pk_ledger_idempotency_keys', ['scope', 'key'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(LEDGER_OPEN_ACCOUNT)
        op.execute(LEDGER_POST)
        op.execute(LEDGER_CLAIM)
        op.execute(LEDGER_HOLD)
        op.execute(LEDGER_POST_HOLD)


def downgrade():
    with op.batch_alter_table('ledger_idempotency_keys', schema=None) as batch_op:
        batch_op.drop_constraint('pk_ledger_idempotency_keys', type_='primary')
        batch_op.add_column(sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                                      autoincrement=True, nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE SEQUENCE ledger_idempotency_keys_id_seq '
                   'OWNED BY ledger_idempotency_keys.id')
        op.execute("UPDATE ledger_idempotency_keys SET id = nextval('ledger_idempotency_keys_id_seq')")
        op.execute("ALTER TABLE ledger_idempotency_keys ALTER COLUMN id "
                   "SET DEFAULT nextval('ledger_idempotency_keys_id_seq')")
    with op.batch_alter_table('ledger_idempotency_keys', schema=None) as batch_op:
        batch_op.alter_column('id', nullable=False)
        batch_op.create_primary_key('pk_ledger_idempotency_keys', ['id'])
        batch_op.create_unique_constraint('uq_ledger_idempotency_keys_scope_key', ['scope', 'key'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION ledger_post_hold(bigint, text, text, timestamptz)')
        op.execute(
            'DROP FUNCTION ledger_hold(text, text, bigint, timestamptz, text, text, timestamptz)'
        )
        op.execute('DROP FUNCTION ledger_claim(bigint, text, text)')
        op.execute(
            'DROP FUNCTION ledger_post(text, text, json, text, bigint, timestamptz, '
            'timestamptz, text[], bigint[], bigint[], timestamptz)'
        )
        op.execute('DROP FUNCTION ledger_open_account(text, timestamptz)')
