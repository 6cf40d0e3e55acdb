-- Referencing tables first, as the foreign keys require.
DROP TABLE tags;
DROP TABLE categories;
DROP TABLE login_failures;
DROP TABLE refresh_tokens;
DROP TABLE users;
DROP TABLE authors;
