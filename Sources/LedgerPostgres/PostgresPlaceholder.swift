// Replaced by the Postgres projection (issue 4).
