ALTER TABLE content_changes DROP COLUMN changed_at;
DROP TABLE trending_state;
DROP TABLE trending_totals;
DROP TABLE view_claims;
