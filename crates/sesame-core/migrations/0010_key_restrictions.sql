-- Where a key may be used from: NULL for anywhere (what every key made before had), else
-- up to 50 addresses and CIDR ranges separated by spaces ("192.0.2.7 2001:db8::/32").
ALTER TABLE api_keys ADD COLUMN allowed_addresses TEXT;
-- The key's own request limit: NULL for none, else "<requests>/<second|minute>".
ALTER TABLE api_keys ADD COLUMN rate_limit TEXT;
