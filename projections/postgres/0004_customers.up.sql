-- Analytics projection, version 4: customers, from sources that have them (the standard POS
-- schema's optional `customers` table), keyed by the code `receipts.customer` and `sales.customer`
-- hold; the table stays empty for a source without them. The sync-status view counts them too.
CREATE TABLE {{schema}}.customers (
    customer_id text PRIMARY KEY,
    name        text,
    phone       text,
    email       text,
    created_at  timestamptz,
    updated_at  timestamptz,
    _offset     bigint NOT NULL,
    _event_time timestamptz NOT NULL
);

CREATE OR REPLACE VIEW {{schema}}.sync_status AS
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
    UNION ALL SELECT 'customers', count(*) FROM {{schema}}.customers
) e
LEFT JOIN {{schema}}.ingest_state s USING (entity);
