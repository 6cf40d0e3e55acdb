-- Access tokens carry the account's token epoch: a password change or an admin's reset adds one,
-- which ends every access token issued before it at once (not 15 minutes later).
ALTER TABLE users ADD COLUMN token_epoch INTEGER NOT NULL DEFAULT 0;

-- Emails now fold ASCII case only (a Kelvin sign no longer takes the key of `k`). SQLite's lower()
-- folds ASCII only, which is exactly the new key. ASCII folding tells apart everything Unicode
-- folding did, so no two accounts can collide.
UPDATE users SET email_key = lower(email);

-- Failed logins are now keyed by a hash of the folded email (bounded, whatever was typed); older
-- rows, keyed by the raw text, would never match again.
DELETE FROM login_failures;
