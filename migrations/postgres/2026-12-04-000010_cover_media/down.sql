ALTER TABLE articles DROP COLUMN cover_media;
