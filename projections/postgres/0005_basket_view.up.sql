-- Analytics projection, version 5: `basket_lines` becomes a view of `sales` (live lines grouped by
-- receipt and product code, codes in byte order), no longer a table the projector writes. Its rows
-- are what the table held; a receipt's basket is read through `sales_receipt_no`. Each live batch
-- loses a statement that rewrote the baskets it touched, and a replay no longer loads them.
DROP TABLE {{schema}}.basket_lines;
CREATE VIEW {{schema}}.basket_lines AS
SELECT receipt_no, product_code COLLATE "C" AS product_code, count(*) AS lines
FROM {{schema}}.sales
WHERE receipt_no IS NOT NULL AND product_code IS NOT NULL
GROUP BY receipt_no, product_code COLLATE "C";
