-- Indexes for GET /log (rule L1) and for retention (LOG_RETENTION_DAYS, FEED_RETENTION_DAYS).
--
-- /log pages by key, newest first: WHERE org = ? AND <filter> AND id < ? ORDER BY id DESC LIMIT n. Each equality
-- filter gets (org, <column>, id), so a page is a range read of exactly its rows, however deep. (`id` is the rowid,
-- which SQLite appends to every index anyway; naming it says what the order serves.) The existing (org, id) serves
-- the unfiltered log and the `actionContains` substring filter, which no index can serve.
CREATE INDEX xero_log_org_user ON xero_log (org, user_id, id);
CREATE INDEX xero_log_org_action ON xero_log (org, action, id);
CREATE INDEX xero_log_org_outcome ON xero_log (org, outcome, id);
CREATE INDEX xero_log_org_kind ON xero_log (org, record_kind, id);
CREATE INDEX xero_log_org_ref ON xero_log (org, crm_ref, id);
CREATE INDEX xero_log_org_xero_id ON xero_log (org, xero_id, id);
-- from/to: a range on `at` within the organisation (rows are then ordered by id: one sort of the range's rows).
CREATE INDEX xero_log_org_at ON xero_log (org, at, id);

-- Retention deletes the oldest rows of every organisation in bounded batches: WHERE at < ? ORDER BY at LIMIT n.
CREATE INDEX xero_log_at ON xero_log (at);
CREATE INDEX changes_at ON changes (at);
