-- Tenant isolation (rules C3, C7): a Xero organisation is bound to at most one CRM organisation, claimed when it is
-- picked and released on disconnect. Webhooks find the CRM organisation of an event's tenant here (one look-up).
CREATE TABLE tenant_bindings (
  tenant_id TEXT PRIMARY KEY,
  org TEXT NOT NULL,
  bound_at TEXT NOT NULL
);
CREATE INDEX tenant_bindings_org ON tenant_bindings (org);

-- Connections made before this table existed: the organisation that connected a tenant first keeps it.
INSERT OR IGNORE INTO tenant_bindings (tenant_id, org, bound_at)
  SELECT tenant_id, org, updated_at FROM connections
  WHERE tenant_id IS NOT NULL AND status != 'not_connected'
  ORDER BY updated_at;
