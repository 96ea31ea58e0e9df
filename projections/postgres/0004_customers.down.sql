-- Undoes 0004_customers.up.sql: the sync-status view of version 3, then the table.
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
) e
LEFT JOIN {{schema}}.ingest_state s USING (entity);
DROP TABLE {{schema}}.customers;
