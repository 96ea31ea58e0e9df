-- Undoes 0002_byte_order.up.sql: back to the database's default collation.
ALTER TABLE {{schema}}.basket_lines
    ALTER COLUMN product_code TYPE text COLLATE "default";
ALTER TABLE {{schema}}.also_bought
    ALTER COLUMN product_a TYPE text COLLATE "default",
    ALTER COLUMN product_b TYPE text COLLATE "default";
