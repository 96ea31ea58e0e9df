-- Undoes 0005_basket_view.up.sql: `basket_lines` is a table again, filled from `sales`.
DROP VIEW {{schema}}.basket_lines;
CREATE TABLE {{schema}}.basket_lines (
    receipt_no   bigint NOT NULL,
    product_code text COLLATE "C" NOT NULL,
    lines        bigint NOT NULL,
    PRIMARY KEY (receipt_no, product_code)
) WITH (fillfactor = 90);
INSERT INTO {{schema}}.basket_lines (receipt_no, product_code, lines)
SELECT receipt_no, product_code, count(*) FROM {{schema}}.sales
WHERE receipt_no IS NOT NULL AND product_code IS NOT NULL
GROUP BY receipt_no, product_code;
