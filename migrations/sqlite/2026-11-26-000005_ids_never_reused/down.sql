-- Irreversible by design: going back to reusable ids would bring back the bugs this fixed.
SELECT 1;
