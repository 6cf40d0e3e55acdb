ALTER TABLE articles DROP COLUMN cover_media_id;
DROP TABLE article_media;
DROP TABLE media;
