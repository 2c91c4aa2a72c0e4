-- Each organisation polls from its own Durable Object alarm (worker/src/schedule.rs). The object mirrors here when
-- its alarm should fire next, so the Cron Trigger's safety net re-arms only objects whose alarm is overdue (lost,
-- or never set: connections made before alarms existed), with one indexed query.
ALTER TABLE sync_state ADD COLUMN next_alarm_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX sync_state_next_alarm ON sync_state (next_alarm_ms);
