-- A library cover's sizes as answers show them (width, height, variants with their URLs, srcset,
-- placeholder), as JSON written with the article: lists and feeds show covers without reading the
-- media table. NULL for no cover or an outside one (cover_url).
ALTER TABLE articles ADD COLUMN cover_media TEXT;
