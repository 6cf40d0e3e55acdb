-- Nothing references it; it goes alone.
DROP TABLE audit_log;
