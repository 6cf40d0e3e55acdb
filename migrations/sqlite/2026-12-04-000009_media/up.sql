-- The media library: pictures uploaded once and used by many articles. Files live in the media
-- store (a folder or a bucket), under keys that start with the uploaded bytes' hash; rows say
-- where, so a row is written only after its files are stored.
CREATE TABLE media (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    -- Of the bytes as uploaded (so a client can tell it already sent them); one item per upload.
    sha256 TEXT NOT NULL UNIQUE,
    bytes BIGINT NOT NULL,
    filename TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    -- The store key of the re-encoded original.
    file_key TEXT NOT NULL,
    -- The resized copies, as a JSON array of {width, height, mime_type, key}.
    variants TEXT NOT NULL,
    placeholder TEXT NOT NULL,
    alt TEXT,
    caption TEXT,
    credit TEXT,
    focal_x DOUBLE PRECISION,
    focal_y DOUBLE PRECISION,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX media_newest ON media (created_at DESC, id DESC);
CREATE INDEX media_by_creator ON media (created_by);

-- Which articles use which item, as cover or in the body: an item in use cannot be deleted.
CREATE TABLE article_media (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE RESTRICT,
    PRIMARY KEY (article_id, media_id)
);
CREATE INDEX article_media_by_media ON article_media (media_id);

ALTER TABLE articles ADD COLUMN cover_media_id INTEGER REFERENCES media (id) ON DELETE RESTRICT;
