-- Access tokens carry the account's token epoch: a password change or an admin's reset adds one,
-- which ends every access token issued before it at once (not 15 minutes later).
ALTER TABLE users ADD COLUMN token_epoch INTEGER NOT NULL DEFAULT 0;

-- Emails now fold ASCII case only (a Kelvin sign no longer takes the key of `k`). PostgreSQL's
-- lower() folds by the database's locale, Unicode included; under the "C" collation it folds ASCII
-- only, which is exactly the new key and what SQLite's lower() does. ASCII folding tells apart
-- everything Unicode folding did, so no two accounts can collide.
UPDATE users SET email_key = lower(email COLLATE "C");

-- Failed logins are now keyed by a hash of the folded email (bounded, whatever was typed); older
-- rows, keyed by the raw text, would never match again.
DELETE FROM login_failures;
