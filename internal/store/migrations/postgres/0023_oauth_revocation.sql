-- crmd schema, version 23: revoking amoCRM OAuth 2.0 integrations and their
-- disconnect hook (docs/amocrm.md, "OAuth 2.0").

-- disconnect_url: the integration's disconnect hook ('' : none).
-- signing_key: what signing that hook needs, hex. amoCRM signs the hook
-- with HMAC-SHA256 keyed by the client secret, and crmd keeps only the
-- secret's hash; so at creation it keeps the two SHA-256 states HMAC reaches
-- after absorbing the padded key (key⊕ipad, key⊕opad). They sign any message
-- as the secret would, but are not the secret: they cannot be turned back
-- into it, nor pass the token endpoint's check of the secret's hash.
-- Integrations created before this version have none, and no hook.
-- revoked_at: set by crmd integration revoke; no grant is given after it.
ALTER TABLE integrations ADD COLUMN disconnect_url TEXT NOT NULL DEFAULT '';
ALTER TABLE integrations ADD COLUMN signing_key TEXT NOT NULL DEFAULT '';
ALTER TABLE integrations ADD COLUMN revoked_at BIGINT;

-- The integration an OAuth access token was issued to (NULL for long-lived
-- tokens and other credentials), so that revoking the integration deletes
-- its access tokens with its codes and refresh tokens. Access tokens issued
-- before this version carry none and run out within their 24 hours.
ALTER TABLE credentials ADD COLUMN integration_id BIGINT REFERENCES integrations(id) ON DELETE CASCADE;
CREATE INDEX credentials_integration ON credentials(integration_id);
CREATE INDEX oauth_codes_integration ON oauth_codes(integration_id);
CREATE INDEX oauth_refresh_tokens_integration ON oauth_refresh_tokens(integration_id);
