-- Analytics projection, version 1. `{{schema}}` is replaced by the configured schema name
-- (default `analytics`) before the migration runs; the whole file runs in one transaction.
CREATE SCHEMA IF NOT EXISTS {{schema}};

CREATE TABLE {{schema}}.products (
    product_id    text PRIMARY KEY,
    code          text,
    name          text,
    category      text,
    department    text,
    unit          text,
    buy_price     numeric,
    sell_price    numeric,
    current_stock numeric,
    updated_at    timestamptz,
    _offset       bigint NOT NULL,
    _event_time   timestamptz NOT NULL
);

CREATE TABLE {{schema}}.receipts (
    receipt_id      bigint PRIMARY KEY,
    receipt_no      bigint,
    at              timestamptz,
    payment_channel text,
    customer        text,
    _offset         bigint NOT NULL,
    _event_time     timestamptz NOT NULL
);

CREATE TABLE {{schema}}.sales (
    sale_id      bigint PRIMARY KEY,
    at           timestamptz,
    receipt_no   bigint,
    product_code text,
    product_name text,
    qty          numeric,
    price        numeric,
    total        numeric,
    customer     text,
    _offset      bigint NOT NULL,
    _event_time  timestamptz NOT NULL
);
CREATE INDEX sales_receipt_no ON {{schema}}.sales (receipt_no);

-- Pairs of distinct products bought on the same receipt; a row with zero receipts is deleted.
CREATE TABLE {{schema}}.also_bought (
    product_a text NOT NULL,
    product_b text NOT NULL,
    receipts  bigint NOT NULL,
    PRIMARY KEY (product_a, product_b),
    CHECK (product_a < product_b),
    CHECK (receipts > 0)
);
CREATE INDEX also_bought_b ON {{schema}}.also_bought (product_b);

-- The co-occurrence inputs: live sales lines grouped by receipt and product code.
CREATE TABLE {{schema}}.basket_lines (
    receipt_no   bigint NOT NULL,
    product_code text NOT NULL,
    lines        bigint NOT NULL,
    PRIMARY KEY (receipt_no, product_code)
);

CREATE TABLE {{schema}}.projector_checkpoint (
    projector   text PRIMARY KEY,
    next_offset bigint NOT NULL,
    last_hash   text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE {{schema}}.projector_dead_letters (
    projector    text NOT NULL,
    event_offset bigint NOT NULL,
    entity       text NOT NULL,
    key          text NOT NULL,
    reason       text NOT NULL,
    event        jsonb,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projector, event_offset)
);

-- Per entity: the offset and source time of the last event applied.
CREATE TABLE {{schema}}.ingest_state (
    entity          text PRIMARY KEY,
    last_offset     bigint NOT NULL,
    last_event_time timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Sync-status dashboard: per entity, row count, last event time and lag.
CREATE VIEW {{schema}}.sync_status AS
SELECT e.entity,
       e.row_count,
       s.last_event_time,
       s.last_offset,
       now() - s.last_event_time AS lag,
       now() - s.updated_at      AS since_last_apply
FROM (
    SELECT 'products' AS entity, count(*) AS row_count FROM {{schema}}.products
    UNION ALL SELECT 'receipts', count(*) FROM {{schema}}.receipts
    UNION ALL SELECT 'sales', count(*) FROM {{schema}}.sales
) e
LEFT JOIN {{schema}}.ingest_state s USING (entity);

-- An order-independent checksum of a table: the sum of the md5 of every row's text form,
-- so two builds compare equal whatever order their rows were written in.
CREATE FUNCTION {{schema}}.table_checksum(tbl regclass) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE result text;
BEGIN
    EXECUTE format(
        'SELECT count(*)::text || '':'' || coalesce(sum((''x'' || substr(md5(t::text), 1, 15))::bit(60)::bigint)::text, ''0'')'
        ' || '':'' || coalesce(sum((''x'' || substr(md5(t::text), 16, 15))::bit(60)::bigint)::text, ''0'') FROM %s t', tbl)
    INTO result;
    RETURN result;
END $$;
