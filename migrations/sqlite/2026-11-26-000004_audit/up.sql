-- Every editorial write: who, what, when, and for articles the version before and after.
-- Rows outlive what they describe: no foreign key to the resource, and the actor's email is copied.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    user_email TEXT NOT NULL,
    action TEXT NOT NULL,
    resource TEXT NOT NULL,
    resource_id INTEGER NOT NULL,
    article_id INTEGER,
    version_before INTEGER,
    version_after INTEGER
);
CREATE INDEX audit_log_by_user ON audit_log (user_id, id DESC);
CREATE INDEX audit_log_by_article ON audit_log (article_id, id DESC);
