-- Undoes 0001_analytics.up.sql: drops the analytics schema and everything in it.
DROP SCHEMA IF EXISTS {{schema}} CASCADE;
