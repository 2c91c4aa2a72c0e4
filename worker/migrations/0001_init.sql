-- xerosync proxy: the log (rule L1), settings (C2, T1), the connection index, and the change feed (B1).
CREATE TABLE xero_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org TEXT NOT NULL,
  at TEXT NOT NULL,
  user_id TEXT NOT NULL,
  user_name TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,
  record_kind TEXT NOT NULL DEFAULT '',
  crm_ref TEXT NOT NULL DEFAULT '',
  xero_id TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL,
  http_status INTEGER NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX xero_log_org_id ON xero_log (org, id);

CREATE TABLE settings (
  org TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);

-- Which CRM organisations have a connection, and to which tenant (for the cron and webhooks).
CREATE TABLE connections (
  org TEXT PRIMARY KEY,
  tenant_id TEXT,
  status TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX connections_tenant ON connections (tenant_id);

CREATE TABLE sync_state (
  org TEXT PRIMARY KEY,
  last_poll_ms INTEGER NOT NULL DEFAULT 0,
  last_full_ms INTEGER NOT NULL DEFAULT 0
);

-- The change feed the page pulls with /changes?after=<seq>. `version` dedupes re-reads of the overlap window.
CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  org TEXT NOT NULL,
  kind TEXT NOT NULL,
  xero_id TEXT NOT NULL,
  source TEXT NOT NULL,
  version TEXT NOT NULL,
  at TEXT NOT NULL,
  record TEXT,
  UNIQUE (org, kind, xero_id, version)
);
CREATE INDEX changes_org_seq ON changes (org, seq);
