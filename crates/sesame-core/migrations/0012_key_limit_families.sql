-- Keys made by a key with a request limit share that key's allowance: the key whose bucket
-- the family counts in (NULL: the key counts in a bucket of its own) and the limit the family
-- was given when it began, "<requests>/<second|minute>".
ALTER TABLE api_keys ADD COLUMN limit_family TEXT;
ALTER TABLE api_keys ADD COLUMN family_rate_limit TEXT;
