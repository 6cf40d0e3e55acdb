-- Nothing references it; it goes alone.
DROP TABLE article_views;
