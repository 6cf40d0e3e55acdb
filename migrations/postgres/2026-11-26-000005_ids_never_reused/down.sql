-- Nothing to undo: the up migration changes nothing on PostgreSQL. (On SQLite it is irreversible
-- by design; here the identity columns go with their tables' own migrations.)
SELECT 1;
