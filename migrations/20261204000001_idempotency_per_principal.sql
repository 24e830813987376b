-- Idempotency keys now belong to the principal that sent them, not the tenant: `key` holds a
-- SHA-256 of (principal, Idempotency-Key), never the key itself, and `response_body` is sealed
-- (ChaCha20-Poly1305) under a key derived from the server's secret, the principal and the
-- Idempotency-Key. Rows of the old, tenant-wide scheme cannot be found under it: drop them.
DELETE FROM idempotency_keys;
COMMENT ON COLUMN idempotency_keys.key IS 'hex SHA-256 of (principal, Idempotency-Key)';
COMMENT ON COLUMN idempotency_keys.response_body IS 'nonce || ChaCha20-Poly1305 ciphertext of the first answer';
