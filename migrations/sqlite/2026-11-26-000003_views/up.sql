-- Reads per article per hour, for the trending feed. Written in batches by the view counter; the
-- article's running total is in articles.view_count. Buckets older than the longest window are pruned.
-- Clustered by hour (WITHOUT ROWID), so summing a window reads one contiguous range.
CREATE TABLE article_views (
    -- The hour the reads fell in, as seconds since 1970 (a multiple of 3600).
    hour INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    views INTEGER NOT NULL,
    PRIMARY KEY (hour, article_id)
) WITHOUT ROWID;
CREATE INDEX article_views_article ON article_views (article_id);
