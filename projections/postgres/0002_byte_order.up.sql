-- Analytics projection, version 2: product codes in also_bought and basket_lines compare by
-- UTF-8 bytes (the "C" collation), as the co-occurrence code orders pairs (product_a < product_b)
-- whatever the database's default collation is.
ALTER TABLE {{schema}}.also_bought
    ALTER COLUMN product_a TYPE text COLLATE "C",
    ALTER COLUMN product_b TYPE text COLLATE "C";
ALTER TABLE {{schema}}.basket_lines
    ALTER COLUMN product_code TYPE text COLLATE "C";
