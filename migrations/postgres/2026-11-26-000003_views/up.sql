-- Reads per article per hour, for the trending feed. Written in batches by the view counter; the
-- article's running total is in articles.view_count. Buckets older than the longest window are pruned.
--
-- SQLite clusters this table by hour (WITHOUT ROWID) so that summing a window reads one contiguous
-- range. PostgreSQL has no clustered tables; the primary key's index carries `views` as well
-- (INCLUDE, which does not change what is unique), so summing a window can be an index-only scan
-- over one range of it.
CREATE TABLE article_views (
    -- The hour the reads fell in, as seconds since 1970 (a multiple of 3600). BIGINT, as schema.rs
    -- says: SQLite's INTEGER is 64 bits, PostgreSQL's is 32.
    hour BIGINT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    views BIGINT NOT NULL,
    PRIMARY KEY (hour, article_id) INCLUDE (views)
);
-- Deleting an article cascades here, and a per-article total reads here.
CREATE INDEX article_views_article ON article_views (article_id);
