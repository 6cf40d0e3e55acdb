-- The view counter's dedupe, shared by every instance: a read counts only if its claims allow it
-- when written, so one reader whose reads a load balancer spreads over several instances still
-- counts once. A claim is a keyed hash, never an address. Flushes are serialised writes, so a
-- flush reads the claims it needs and writes them back without racing another instance.
CREATE TABLE view_claims (
    -- A keyed 64-bit hash of (address, User-Agent, article): one reader; or of (address,
    -- article): every reader behind one address.
    claim INTEGER PRIMARY KEY NOT NULL,
    -- When its dedupe period began, as seconds since 1970.
    since BIGINT NOT NULL,
    -- Reads counted under it in that period.
    reads INTEGER NOT NULL
);
-- Expired claims are deleted by age.
CREATE INDEX view_claims_since ON view_claims (since);

-- Each trending window's reads per article, kept up to date by the view flush so that the
-- trending feed reads a ranked index instead of summing hourly buckets on every request. Valid
-- for the hour in trending_state; a request in another hour sums the buckets instead.
CREATE TABLE trending_totals (
    window_hours INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    views BIGINT NOT NULL,
    PRIMARY KEY (window_hours, article_id)
) WITHOUT ROWID;
CREATE INDEX trending_totals_ranked ON trending_totals (window_hours, views DESC);
CREATE INDEX trending_totals_article ON trending_totals (article_id);

-- The hour (seconds since 1970) trending_totals were last brought to; 0 until the first flush,
-- which builds them from the buckets.
CREATE TABLE trending_state (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    hour BIGINT NOT NULL
);
INSERT INTO trending_state (id, hour) VALUES (1, 0);

-- When content last changed (microseconds since 1970, the writer's clock): an instance that
-- learns of the change reports how long it took, as the cache-invalidation lag.
ALTER TABLE content_changes ADD COLUMN changed_at BIGINT NOT NULL DEFAULT 0;
