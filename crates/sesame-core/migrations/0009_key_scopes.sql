-- What a key may do: NULL for full access (its owner's privileges, the default and what
-- every key made before had), else its permissions separated by spaces ("me:read
-- api_keys:read"). Read with the key on every verification (cached with it).
ALTER TABLE api_keys ADD COLUMN scopes TEXT;
