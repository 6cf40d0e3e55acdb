-- Access tokens carry the account's token epoch: a password change or an admin's reset adds one,
-- which ends every access token issued before it at once (not 15 minutes later).
ALTER TABLE users ADD COLUMN token_epoch INTEGER NOT NULL DEFAULT 0;
