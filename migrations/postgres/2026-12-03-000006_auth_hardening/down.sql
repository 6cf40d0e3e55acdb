-- Email keys and failure keys stay as they are: the older folding finds ASCII-folded keys of ASCII
-- addresses, and failures expire within the login window.
ALTER TABLE users DROP COLUMN token_epoch;
