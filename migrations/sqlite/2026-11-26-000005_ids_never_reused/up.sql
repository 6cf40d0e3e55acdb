-- Ids are never reused. Without AUTOINCREMENT SQLite gives a new row the highest id + 1, so
-- deleting the newest user or article hands its id to the next one: a deleted user's unexpired
-- token named the next account, audit entries of a deleted article mixed with a new one's, and
-- caches keyed by id could answer for the wrong article. Rebuilt as SQLite documents for schema
-- changes: new table, copy, drop, rename, indexes, with foreign keys off meanwhile.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE users_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    email TEXT NOT NULL,
    -- Emails compare case-insensitively: this lower-case copy is what is unique and looked up.
    email_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('writer', 'editor', 'admin')),
    password_hash TEXT NOT NULL,
    author_id INTEGER REFERENCES authors (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP
);
INSERT INTO users_new (id, email, email_key, name, role, password_hash, author_id, created_at, updated_at, last_login_at)
    SELECT id, email, email_key, name, role, password_hash, author_id, created_at, updated_at, last_login_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_author_id ON users (author_id);

-- Small, often filtered columns first and the large texts last (see the articles migration).
CREATE TABLE articles_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
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
    custom_excerpt TEXT,
    excerpt TEXT NOT NULL,
    body TEXT NOT NULL,
    body_html TEXT NOT NULL
);
INSERT INTO articles_new (id, status, published_at, category_id, created_by, updated_by, view_count, version,
        word_count, reading_time_minutes, body_format, created_at, updated_at, slug, title, cover_url, cover_caption,
        cover_credit, cover_alt, custom_excerpt, excerpt, body, body_html)
    SELECT id, status, published_at, category_id, created_by, updated_by, view_count, version,
        word_count, reading_time_minutes, body_format, created_at, updated_at, slug, title, cover_url, cover_caption,
        cover_credit, cover_alt, custom_excerpt, excerpt, body, body_html FROM articles;
DROP TABLE articles;
ALTER TABLE articles_new RENAME TO articles;
-- The same indexes as before, by the same names (the articles migration says why each exists).
CREATE INDEX articles_live_by_date ON articles (published_at DESC, id DESC)
    WHERE status IN ('published', 'scheduled');
CREATE INDEX articles_live_by_category ON articles (category_id, published_at DESC, id DESC)
    WHERE status IN ('published', 'scheduled');
CREATE INDEX articles_by_date ON articles (published_at DESC, id DESC);
CREATE INDEX articles_by_title ON articles (title, id);
CREATE INDEX articles_by_views ON articles (view_count DESC, id DESC);
CREATE INDEX articles_unpublished ON articles (status, published_at DESC, id DESC)
    WHERE status IN ('draft', 'review', 'archived');
CREATE INDEX articles_by_creator ON articles (created_by, published_at DESC, id DESC);
CREATE INDEX articles_category_id ON articles (category_id);

-- Copying seeds each sequence with the highest id still present. Ids already given to rows deleted
-- before this upgrade are known from the audit log, so the sequences start above those too.
UPDATE sqlite_sequence SET seq = max(seq,
        coalesce((SELECT MAX(resource_id) FROM audit_log WHERE resource = 'user'), 0),
        coalesce((SELECT MAX(user_id) FROM audit_log), 0))
    WHERE name = 'users';
UPDATE sqlite_sequence SET seq = max(seq,
        coalesce((SELECT MAX(resource_id) FROM audit_log WHERE resource = 'article'), 0),
        coalesce((SELECT MAX(article_id) FROM audit_log), 0))
    WHERE name = 'articles';

COMMIT;
PRAGMA foreign_keys = ON;
