-- One counter that every committed content write moves on, in the same transaction. A server
-- polls it to learn of writes it did not make itself (the command line, another instance) and
-- moves its content epoch on, so its caches drop what those writes made stale.
CREATE TABLE content_changes (
    -- A single row, always id 1: a plain key, not an identity, since nothing ever picks an id.
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    counter BIGINT NOT NULL
);
INSERT INTO content_changes (id, counter) VALUES (1, 0);
