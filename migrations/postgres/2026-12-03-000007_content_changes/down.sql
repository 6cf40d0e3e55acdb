-- Nothing references it; it goes alone.
DROP TABLE content_changes;
