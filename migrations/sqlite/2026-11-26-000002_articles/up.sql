-- Articles with their bylines, tags, retired slugs and full-text index.

-- Small, often filtered columns first and the large texts last: SQLite reads a row from its start,
-- so checking the status or date of an article never has to walk the body's overflow pages.
CREATE TABLE articles (
    id INTEGER PRIMARY KEY NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'review', 'scheduled', 'published', 'archived')),
    published_at TIMESTAMP,
    category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE RESTRICT,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    view_count INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    word_count INTEGER NOT NULL,
    reading_time_minutes INTEGER NOT NULL,
    body_format TEXT NOT NULL CHECK (body_format IN ('markdown', 'html')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    cover_url TEXT,
    cover_caption TEXT,
    cover_credit TEXT,
    cover_alt TEXT,
    -- The excerpt as the editor wrote it; NULL means "derive it from the body".
    custom_excerpt TEXT,
    -- The excerpt readers get: custom_excerpt, or the start of the body's text.
    excerpt TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Rendered and sanitized once, at write time, so reads never render.
    body_html TEXT NOT NULL
);

-- Visible articles are status 'published' or 'scheduled' with published_at <= now. Public lists
-- filter on `status IN ('published', 'scheduled')`, spelled exactly so, which lets SQLite use these
-- partial indexes: newest first, overall and per category, stopping at the page's end.
CREATE INDEX articles_live_by_date ON articles (published_at DESC, id DESC)
    WHERE status IN ('published', 'scheduled');
CREATE INDEX articles_live_by_category ON articles (category_id, published_at DESC, id DESC)
    WHERE status IN ('published', 'scheduled');
-- The other orders, and editors' lists over every status. Articles that are not live have their
-- own partial index; there is deliberately no index leading with status over all articles: without
-- statistics SQLite takes `status = ?` for a selective test and would walk every published article.
CREATE INDEX articles_by_date ON articles (published_at DESC, id DESC);
CREATE INDEX articles_by_title ON articles (title, id);
CREATE INDEX articles_by_views ON articles (view_count DESC, id DESC);
CREATE INDEX articles_unpublished ON articles (status, published_at DESC, id DESC)
    WHERE status IN ('draft', 'review', 'archived');
CREATE INDEX articles_by_creator ON articles (created_by, published_at DESC, id DESC);
CREATE INDEX articles_category_id ON articles (category_id);

-- Ordered bylines.
CREATE TABLE article_authors (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES authors (id) ON DELETE RESTRICT,
    position INTEGER NOT NULL,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_author ON article_authors (author_id, article_id);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);

-- Slugs an article answered to before a slug change after publication: they redirect (301).
CREATE TABLE article_slug_redirects (
    slug TEXT PRIMARY KEY NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE
);
CREATE INDEX article_slug_redirects_article ON article_slug_redirects (article_id);

-- Full text of title, excerpt and body text; rowid = articles.id. Case and diacritics are folded
-- by the tokenizer, so "ekonomi" finds "Ékonomi". Kept in step by the article service, in the
-- same transaction as the article write.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, excerpt, body,
    tokenize = 'unicode61 remove_diacritics 2'
);
