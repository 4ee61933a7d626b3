"""redemption_reserve() and redemption_confirm(): a redemption's two phases in one statement each

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 12:05:00

PostgreSQL only. They do on the server what ``rewards.redemptions.operations.reserve`` and
``confirm`` do in Python on SQLite (the reference implementation), with the same checks in
the same order; the caller turns a status row into the same named error. Refusals are found
before anything is written (the perk row's lock serializes every reservation of a perk, so
its stock and the volunteer's allowance can be read, then written); an account that cannot
afford the hold raises LP001 from ``ledger_hold()``, which undoes the whole call. Account
codes are spelled as ``ledger.accounts`` spells them ("volunteer:42", "merchant:7").
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


REDEMPTION_RESERVE = r"""
CREATE FUNCTION redemption_reserve(
    p_volunteer_id bigint, p_perk_id bigint, p_star_level integer, p_codes text[],
    p_expires_at timestamptz, p_month text, p_at timestamptz
) RETURNS TABLE (
    r_status text, r_redemption_id bigint, r_code text, r_points integer, r_limit integer,
    r_period text
) LANGUAGE plpgsql AS $$
DECLARE
    v_perk record;
    v_period text;
    v_used integer;
    v_redemption bigint;
    v_hold bigint;
    v_code text;
    v_inserted bigint;
BEGIN
    SELECT p.id, p.merchant_id, p.title, p.cost_points, p.stock_left, p.per_user_limit,
           p.limit_period, p.valid_from, p.valid_until, p.min_star_level, p.active,
           m.active AS merchant_active
    INTO v_perk
    FROM perks p JOIN merchants m ON m.id = p.merchant_id
    WHERE p.id = p_perk_id
    FOR UPDATE OF p;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::text, NULL::integer,
                            NULL::integer, NULL::text;
        RETURN;
    END IF;
    IF NOT (v_perk.active AND v_perk.merchant_active
            AND (v_perk.valid_from IS NULL OR v_perk.valid_from <= p_at)
            AND (v_perk.valid_until IS NULL OR p_at < v_perk.valid_until)) THEN
        RETURN QUERY SELECT 'not_available', NULL::bigint, NULL::text, NULL::integer,
                            NULL::integer, NULL::text;
        RETURN;
    END IF;
    IF v_perk.min_star_level > 0 AND (p_star_level IS NULL
                                      OR p_star_level < v_perk.min_star_level) THEN
        -- The caller reads the star level only for the perks that ask (it costs two reads).
        RETURN QUERY SELECT CASE WHEN p_star_level IS NULL THEN 'star_level_needed'
                                 ELSE 'star_level_too_low' END,
                            NULL::bigint, NULL::text, NULL::integer, v_perk.min_star_level,
                            NULL::text;
        RETURN;
    END IF;
    IF v_perk.per_user_limit IS NOT NULL THEN
        v_period := CASE WHEN v_perk.limit_period = 'lifetime' THEN 'lifetime' ELSE p_month END;
        SELECT a.used INTO v_used FROM redemption_allowances a
        WHERE a.volunteer_id = p_volunteer_id AND a.perk_id = p_perk_id AND a.period = v_period;
        IF coalesce(v_used, 0) >= v_perk.per_user_limit THEN
            RETURN QUERY SELECT 'limit_reached', NULL::bigint, NULL::text, NULL::integer,
                                v_perk.per_user_limit, v_perk.limit_period::text;
            RETURN;
        END IF;
    END IF;
    IF v_perk.stock_left <= 0 THEN
        RETURN QUERY SELECT 'out_of_stock', NULL::bigint, NULL::text, NULL::integer,
                            NULL::integer, NULL::text;
        RETURN;
    END IF;

    IF v_period IS NOT NULL THEN
        INSERT INTO redemption_allowances AS a (volunteer_id, perk_id, period, used)
        VALUES (p_volunteer_id, p_perk_id, v_period, 1)
        ON CONFLICT (volunteer_id, perk_id, period) DO UPDATE SET used = a.used + 1;
    END IF;
    UPDATE perks SET stock_left = stock_left - 1, updated_at = p_at WHERE id = p_perk_id;

    -- The hold first, under the redemption's id drawn now: the redemption row is then
    -- written once, already pointing at its hold.
    v_redemption := nextval(pg_get_serial_sequence('redemptions', 'id'));
    SELECT h.r_hold_id INTO v_hold
    FROM ledger_hold('volunteer:' || p_volunteer_id, 'merchant:' || v_perk.merchant_id,
                     v_perk.cost_points, p_expires_at, 'redemption:' || v_redemption,
                     left('兑换：' || v_perk.title, 255), p_at) AS h
    WHERE h.r_status = 'ok';
    IF v_hold IS NULL THEN
        RAISE EXCEPTION 'redemption % could not hold its points', v_redemption;
    END IF;
    -- Codes are drawn by the caller from a cryptographic source; a taken one (49 bits: all
    -- but impossible) is refused by the unique index, and the next candidate tried.
    FOREACH v_code IN ARRAY p_codes LOOP
        INSERT INTO redemptions
            (id, code, volunteer_id, perk_id, merchant_id, status, points, hold_id,
             allowance_period, expires_at, created_at)
        VALUES (v_redemption, v_code, p_volunteer_id, p_perk_id, v_perk.merchant_id,
                'reserved', v_perk.cost_points, v_hold, v_period, p_expires_at, p_at)
        ON CONFLICT (code) DO NOTHING
        RETURNING id INTO v_inserted;
        IF v_inserted IS NOT NULL THEN
            RETURN QUERY SELECT 'ok', v_redemption, v_code, v_perk.cost_points, NULL::integer,
                                NULL::text;
            RETURN;
        END IF;
    END LOOP;
    RAISE EXCEPTION 'every candidate redemption code is taken';
END
$$
"""

REDEMPTION_CONFIRM = r"""
CREATE FUNCTION redemption_confirm(
    p_staff_id bigint, p_code text, p_month date, p_slot smallint, p_metric text,
    p_at timestamptz
) RETURNS TABLE (
    r_status text, r_redemption_id bigint, r_perk_id bigint, r_perk_title text,
    r_volunteer_id bigint, r_points integer, r_transaction_id bigint, r_at timestamptz
) LANGUAGE plpgsql AS $$
DECLARE
    v_staff record;
    v_redemption record;
    v_posted record;
    v_tx bigint;
BEGIN
    SELECT s.merchant_id, m.region_code INTO v_staff
    FROM merchant_staff s JOIN merchants m ON m.id = s.merchant_id
    WHERE s.volunteer_id = p_staff_id;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_staff', NULL::bigint, NULL::bigint, NULL::text, NULL::bigint,
                            NULL::integer, NULL::bigint, NULL::timestamptz;
        RETURN;
    END IF;
    SELECT r.id, r.merchant_id, r.status, r.points, r.hold_id, r.perk_id, r.volunteer_id,
           r.expires_at, r.fulfilled_at, p.title::text AS title
    INTO v_redemption
    FROM redemptions r
    JOIN perks p ON p.id = r.perk_id
    WHERE r.code = p_code  -- NULL (a code that cannot be one) finds nothing
    FOR UPDATE OF r;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'code_invalid', NULL::bigint, NULL::bigint, NULL::text,
                            NULL::bigint, NULL::integer, NULL::bigint, NULL::timestamptz;
        RETURN;
    END IF;
    IF v_redemption.merchant_id <> v_staff.merchant_id THEN
        RETURN QUERY SELECT 'wrong_merchant', NULL::bigint, NULL::bigint, NULL::text,
                            NULL::bigint, NULL::integer, NULL::bigint, NULL::timestamptz;
        RETURN;
    END IF;
    IF v_redemption.status = 'fulfilled' THEN
        RETURN QUERY SELECT 'already_fulfilled', NULL::bigint, NULL::bigint, NULL::text,
                            NULL::bigint, NULL::integer, NULL::bigint,
                            v_redemption.fulfilled_at;
        RETURN;
    END IF;
    IF v_redemption.status = 'cancelled' THEN
        RETURN QUERY SELECT 'cancelled', NULL::bigint, NULL::bigint, NULL::text, NULL::bigint,
                            NULL::integer, NULL::bigint, NULL::timestamptz;
        RETURN;
    END IF;
    -- A perk closed after the code was issued is still honoured until the code's deadline.
    IF v_redemption.status = 'expired' OR v_redemption.expires_at <= p_at THEN
        RETURN QUERY SELECT 'expired', NULL::bigint, NULL::bigint, NULL::text, NULL::bigint,
                            NULL::integer, NULL::bigint, v_redemption.expires_at;
        RETURN;
    END IF;

    FOR v_posted IN
        SELECT * FROM ledger_post_hold(v_redemption.hold_id, 'redeem',
                                       left('兑换：' || v_redemption.title, 255), p_at)
    LOOP
        IF v_posted.r_status IN ('expired', 'not_pending') THEN
            -- The ledger's own expiry job released the hold first: nothing was written.
            RETURN QUERY SELECT 'expired', NULL::bigint, NULL::bigint, NULL::text,
                                NULL::bigint, NULL::integer, NULL::bigint,
                                v_redemption.expires_at;
            RETURN;
        ELSIF v_posted.r_status <> 'ok' THEN
            RAISE EXCEPTION 'redemption %: hold % answered %', v_redemption.id,
                v_redemption.hold_id, v_posted.r_status;
        END IF;
        v_tx := v_posted.r_transaction_id;
    END LOOP;
    UPDATE redemptions
    SET status = 'fulfilled', fulfilled_at = p_at, fulfilled_by = p_staff_id,
        resolved_at = p_at, transaction_id = v_tx
    WHERE id = v_redemption.id;
    -- stats.rollups.add: the caller chose the month (Zhejiang's calendar) and the slot.
    INSERT INTO region_month_stats AS s (region_code, month, metric, slot, value)
    VALUES (v_staff.region_code, p_month, p_metric, p_slot, v_redemption.points)
    ON CONFLICT (region_code, month, metric, slot) DO UPDATE SET value = s.value + excluded.value;
    RETURN QUERY SELECT 'ok', v_redemption.id, v_redemption.perk_id, v_redemption.title,
                        v_redemption.volunteer_id, v_redemption.points, v_tx, p_at;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(REDEMPTION_RESERVE)
        op.execute(REDEMPTION_CONFIRM)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'DROP FUNCTION redemption_confirm(bigint, text, date, smallint, text, timestamptz)'
        )
        op.execute(
            'DROP FUNCTION redemption_reserve(bigint, bigint, integer, text[], timestamptz, '
            'text, timestamptz)'
        )
