-- Referencing tables first, as the foreign keys require. The unaccent extension stays: it holds
-- no data of ours and may serve other users of the database.
DROP TABLE articles_fts;
DROP FUNCTION warta_unaccent(text);
DROP TABLE article_slug_redirects;
DROP TABLE article_tags;
DROP TABLE article_authors;
DROP TABLE articles;
