DROP TABLE articles_fts;
DROP TABLE article_slug_redirects;
DROP TABLE article_tags;
DROP TABLE article_authors;
DROP TABLE articles;
