-- Undoes 0003_fillfactor.up.sql: pages fill completely again.
ALTER TABLE {{schema}}.basket_lines RESET (fillfactor);
ALTER TABLE {{schema}}.also_bought RESET (fillfactor);
ALTER TABLE {{schema}}.sales RESET (fillfactor);
