-- Reads per article per hour, for the trending feed. Written in batches by the view counter; the
-- article's running total is in articles.view_count. Buckets older than the longest window are pruned.
CREATE TABLE article_views (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- The hour the reads fell in, as seconds since 1970 (a multiple of 3600).
    hour INTEGER NOT NULL,
    views INTEGER NOT NULL,
    PRIMARY KEY (article_id, hour)
);
-- Trending sums one window of hours: this index covers it without touching the table.
CREATE INDEX article_views_by_hour ON article_views (hour, article_id, views);
