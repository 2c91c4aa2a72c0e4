//! A pure, native simulation of every organisation's Connection-object alarm, driving the real
//! `xerosync_worker::schedule` with a simulated clock and a fake Xero: what `connection/alarm.rs` does per alarm
//! (plan → keepalive refresh → a bounded chunk of pages → one D1 batch → re-arm) and what the Cron Trigger's safety
//! net does (`sync::run`: re-arm overdue alarms, at most `SAFETY_NET_PER_RUN` a run), with the same costs counted.
//! Shared by `examples/alarms_at_scale` (10,000 organisations, `npm run bench`) and `tests/alarms_at_scale.rs`.
//!
//! The deployment starts as alarms ship: every organisation is connected (kept alive by the old cron, so its last
//! refresh lies somewhere in the previous `KEEPALIVE_AFTER_SECS`) and no object has an alarm yet, so the safety net
//! arms them all. Organisation kinds (by index): quiet, busy (10,000 changes a day, 200-page full re-reads),
//! a 3-day Xero outage, disabled (rule C2), never picked a tenant, disconnecting (half reconnect a week later),
//! and refresh tokens revoked at Xero (then reconnect required, rule C4).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use xerosync_worker::schedule::{
    self, Knobs, Link, Org, Progress, SyncState, PAGES_PER_ALARM, PAGE_SIZE,
};
use xerosync_worker::sync::{OVERDUE_GRACE_MS, SAFETY_NET_PER_RUN};

const SEC: u64 = 1_000;
const MIN: u64 = 60 * SEC;
const DAY: u64 = 86_400 * SEC;
/// Xero's access tokens live 30 minutes; the object refreshes a minute early (`Stored::needs_refresh`).
const ACCESS_TTL: u64 = 30 * MIN;
/// Xero's refresh tokens die after 60 idle days.
const REFRESH_DIES_AFTER: u64 = 60 * DAY;
/// D1 statements per batch call (`db::run_batch`).
const D1_BATCH: u64 = 50;
const CRON_EVERY: u64 = 15 * MIN;
const T0: u64 = 1_800_000_000_000;

/// What is simulated.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Organisations.
    pub orgs: usize,
    /// Simulated days.
    pub days: u64,
    /// The `[vars]` intervals.
    pub knobs: Knobs,
    /// Cost figures average the days from this one on (the safety net's first arming and the first full reads
    /// are a one-off).
    pub steady_from_day: u64,
}

impl Scenario {
    /// `wrangler.toml`'s defaults.
    pub fn production(orgs: usize, days: u64) -> Self {
        Self {
            orgs,
            days,
            knobs: Knobs::from_secs(900, 7 * 86_400, 300, 7 * 86_400, 20, 60),
            steady_from_day: 7,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Quiet,
    Busy,
    Outage,
    Disabled,
    PickRequired,
    Disconnecting,
    Revoked,
}

fn kind_of(i: usize) -> Kind {
    match i % 100 {
        0..=64 => Kind::Quiet,
        65..=74 => Kind::Busy,
        75..=79 => Kind::Outage,
        80..=89 => Kind::Disabled,
        90 => Kind::PickRequired,
        91..=96 => Kind::Disconnecting,
        _ => Kind::Revoked,
    }
}

/// The fake Xero organisation behind one connection.
#[derive(Debug, Clone, Copy)]
struct FakeXero {
    invoices: u64,
    invoice_changes_per_day: u64,
    outage: Option<(u64, u64)>,
    revoked_at: Option<u64>,
}

impl FakeXero {
    fn down(&self, now: u64) -> bool {
        self.outage.is_some_and(|(a, b)| (a..b).contains(&now))
    }

    /// Records of `page` of `resource` changed since `since` (all when `None`), as Xero would page them.
    fn page(&self, c: &schedule::Cursor, now: u64) -> usize {
        let (total, per_day) = match c.resource {
            schedule::Resource::Invoices => (self.invoices, self.invoice_changes_per_day),
            schedule::Resource::CreditNotes => {
                (self.invoices / 20, self.invoice_changes_per_day / 20)
            }
        };
        let changed = match c.since_ms {
            None => total,
            Some(s) => total.min(per_day * now.saturating_sub(s) / DAY),
        };
        let before = u64::from(c.page - 1) * PAGE_SIZE as u64;
        changed.saturating_sub(before).min(PAGE_SIZE as u64) as usize
    }
}

#[derive(Debug, Clone)]
struct OrgSim {
    name: String,
    kind: Kind,
    xero: FakeXero,
    link: Link,
    enabled: bool,
    access_expires: u64,
    sync: SyncState,
    /// The alarm as set (time), and its generation (a re-arm replaces it).
    alarm: Option<u64>,
    generation: u64,
    /// `sync_state.next_alarm_ms` in D1 (0 = no row).
    mirrored_alarm: u64,
    // Measurements.
    last_refresh_seen: u64,
    max_refresh_gap: u64,
    last_poll_done: Option<u64>,
    max_poll_gap: u64,
    calls_today: u64,
    max_calls_day: u64,
    armed_at: Option<u64>,
}

/// Per-day counters.
#[derive(Debug, Default, Clone, Copy)]
struct Day {
    alarms: u64,
    ensure_calls: u64,
    cron_runs: u64,
    xero_api: u64,
    token: u64,
    d1_calls: u64,
    d1_statements: u64,
    pages: u64,
    windows_done: u64,
}

/// What the simulation measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// Organisations simulated.
    pub orgs: usize,
    /// Days simulated.
    pub days: u64,
    /// The longest time any held connection went without a refresh (ms).
    pub max_refresh_gap_ms: u64,
    /// Connections that died of 60 idle days (must be 0).
    pub died_idle: usize,
    /// Longest gap between completed poll windows, organisations without an outage (ms).
    pub max_poll_gap_healthy_ms: u64,
    /// The same for the organisations whose Xero was down 3 days (ms).
    pub max_poll_gap_outage_ms: u64,
    /// The same for the busy organisations (ms).
    pub max_poll_gap_busy_ms: u64,
    /// When the safety net had armed every connected organisation (ms after deploy).
    pub all_armed_after_ms: u64,
    /// Enabled, connected organisations never polled (must be 0).
    pub never_polled: usize,
    /// Most subrequests one alarm made.
    pub max_subrequests_per_alarm: u64,
    /// Most Xero calls one organisation made in a day (rule X2: 5,000, Starter 1,000).
    pub max_calls_per_org_day: u64,
    /// Most Xero API calls the whole app made in one minute (Xero: 10,000).
    pub peak_app_calls_per_minute: u64,
    /// Reconnect-required connections at the end (revoked at Xero) and alarms still set for them.
    pub reconnect_required: usize,
    /// Alarms set on objects that need none (not connected or reconnect required) at the end (must be 0).
    pub stray_alarms: usize,
    /// Steady-state daily averages.
    pub per_day: PerDay,
}

/// Steady-state cost per day (averages over the steady days).
#[derive(Debug, Clone, Copy, Default)]
pub struct PerDay {
    /// Durable Object invocations (alarms and the safety net's calls).
    pub do_invocations: f64,
    /// Worker invocations (Cron Trigger runs).
    pub worker_invocations: f64,
    /// Xero Accounting API calls.
    pub xero_api: f64,
    /// Token endpoint calls.
    pub token: f64,
    /// D1 calls (batches and queries): subrequests.
    pub d1_calls: f64,
    /// D1 statements.
    pub d1_statements: f64,
    /// All subrequests (Xero + token + D1 + the cron's object calls).
    pub subrequests: f64,
    /// Completed poll windows.
    pub windows: f64,
}

fn org_sim(i: usize, k: &Knobs) -> OrgSim {
    let kind = kind_of(i);
    let day_of = |base: u64| T0 + (base + (i as u64 % 30)) * DAY;
    let xero = FakeXero {
        invoices: if kind == Kind::Busy { 20_000 } else { 300 },
        invoice_changes_per_day: if kind == Kind::Busy { 10_000 } else { 20 },
        outage: (kind == Kind::Outage).then(|| (day_of(20), day_of(23))),
        revoked_at: (kind == Kind::Revoked).then(|| day_of(30)),
    };
    // Kept alive by the old cron: the last refresh is somewhere in the last keepalive period.
    let last_refresh = T0 - (i as u64 * 7_919 * SEC) % k.keepalive_after_ms.max(1);
    OrgSim {
        name: format!("crm-org-{i:05}"),
        kind,
        xero,
        link: Link::Held {
            tenant_chosen: kind != Kind::PickRequired,
            last_refresh_ms: last_refresh,
        },
        enabled: !matches!(kind, Kind::Disabled | Kind::PickRequired),
        access_expires: last_refresh + ACCESS_TTL,
        sync: SyncState::default(),
        alarm: None,
        generation: 0,
        mirrored_alarm: 0,
        last_refresh_seen: last_refresh,
        max_refresh_gap: 0,
        last_poll_done: None,
        max_poll_gap: 0,
        calls_today: 0,
        max_calls_day: 0,
        armed_at: None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// The safety net's Cron Trigger.
    Cron,
    /// An alarm of `org` at `generation`.
    Alarm(usize, u64),
    /// Someone disconnects `org`.
    Disconnect(usize),
    /// Someone connects `org` again.
    Reconnect(usize),
}

struct World {
    k: Knobs,
    orgs: Vec<OrgSim>,
    queue: BinaryHeap<Reverse<(u64, Event)>>,
    days: Vec<Day>,
    minute_calls: Vec<u32>,
    max_subrequests: u64,
    end: u64,
}

impl World {
    fn day(&mut self, now: u64) -> &mut Day {
        let d = ((now - T0) / DAY) as usize;
        let last = self.days.len() - 1;
        &mut self.days[d.min(last)]
    }

    fn set_wake(&mut self, i: usize, wake: Option<u64>) {
        let o = &mut self.orgs[i];
        o.generation += 1;
        o.alarm = wake;
        if let Some(t) = wake {
            let generation = o.generation;
            self.queue.push(Reverse((t, Event::Alarm(i, generation))));
        }
    }

    /// A successful or failed token refresh at `now`: `Ok(true)` refreshed, `Ok(false)` invalid_grant.
    fn refresh(&mut self, i: usize, now: u64) -> Result<bool, ()> {
        self.day(now).token += 1;
        let o = &mut self.orgs[i];
        let Link::Held {
            tenant_chosen,
            last_refresh_ms,
        } = o.link
        else {
            return Ok(false);
        };
        if o.xero.down(now) {
            return Err(());
        }
        if o.xero.revoked_at.is_some_and(|r| now >= r)
            || now >= last_refresh_ms + REFRESH_DIES_AFTER
        {
            o.link = Link::ReconnectRequired;
            return Ok(false);
        }
        o.max_refresh_gap = o.max_refresh_gap.max(now - o.last_refresh_seen);
        o.last_refresh_seen = now;
        o.link = Link::Held {
            tenant_chosen,
            last_refresh_ms: now,
        };
        o.access_expires = now + ACCESS_TTL;
        Ok(true)
    }

    fn org_view(&self, i: usize) -> (Link, bool) {
        (self.orgs[i].link, self.orgs[i].enabled)
    }

    /// `Connection::run_alarm`, step for step.
    fn alarm(&mut self, i: usize, now: u64) {
        self.day(now).alarms += 1;
        let k = self.k;
        let before = self.orgs[i].sync.clone();
        let mut sync = before.clone();
        let (link, enabled) = self.org_view(i);
        let status_before = link;
        let step = schedule::plan(
            &Org {
                link,
                enabled,
                sync: &sync,
            },
            &k,
            now,
        );
        let (mut subrequests, mut statements) = (0_u64, 0_u64);
        let mut go_on = true;
        if step.refresh {
            subrequests += 1;
            if self.refresh(i, now).is_err() {
                sync.failed(now, None, "upstream_unavailable", &k);
                go_on = false;
            }
        }
        if let (true, Some(mut cursor)) = (go_on, step.read) {
            for _ in 0..step.max_pages {
                // `usable()`: a refresh first when the access token is about to expire.
                if matches!(self.orgs[i].link, Link::Held { .. })
                    && now + MIN >= self.orgs[i].access_expires
                {
                    subrequests += 1;
                    match self.refresh(i, now) {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(()) => {
                            sync.failed(now, None, "upstream_unavailable", &k);
                            break;
                        }
                    }
                }
                subrequests += 1;
                self.day(now).xero_api += 1;
                self.day(now).pages += 1;
                let minute = ((now - T0) / MIN) as usize;
                if let Some(m) = self.minute_calls.get_mut(minute) {
                    *m += 1;
                }
                self.orgs[i].calls_today += 1;
                if self.orgs[i].xero.down(now) {
                    statements += 1;
                    sync.failed(now, Some(0), "upstream_unavailable", &k);
                    break;
                }
                let records = self.orgs[i].xero.page(&cursor, now);
                statements += 1 + records as u64;
                match sync.page_read(&cursor, records, &k) {
                    Progress::Next(next) => cursor = next,
                    Progress::WindowDone => {
                        self.day(now).windows_done += 1;
                        let o = &mut self.orgs[i];
                        if let Some(prev) = o.last_poll_done {
                            o.max_poll_gap = o.max_poll_gap.max(now - prev);
                        }
                        o.last_poll_done = Some(now);
                        break;
                    }
                }
            }
        }
        let (link, enabled) = self.org_view(i);
        let wake = schedule::next_wake(
            &Org {
                link,
                enabled,
                sync: &sync,
            },
            &k,
            now,
        );
        statements += 1 + u64::from(link != status_before);
        let batches = statements.div_ceil(D1_BATCH);
        subrequests += batches;
        let day = self.day(now);
        day.d1_calls += batches;
        day.d1_statements += statements;
        self.max_subrequests = self.max_subrequests.max(subrequests);
        let o = &mut self.orgs[i];
        o.sync = sync;
        o.mirrored_alarm = wake.unwrap_or(0);
        self.set_wake(i, wake);
    }

    /// `Connection::rearm`.
    fn rearm(&mut self, i: usize, now: u64, reset: bool) {
        let k = self.k;
        let o = &mut self.orgs[i];
        if reset {
            o.sync = SyncState::default();
        }
        if !matches!(o.link, Link::NotConnected) {
            o.sync.schedule_first(now, schedule::spread_ms(&o.name, &k));
        }
        let wake = schedule::next_wake(
            &Org {
                link: o.link,
                enabled: o.enabled,
                sync: &o.sync,
            },
            &k,
            now,
        );
        o.mirrored_alarm = wake.unwrap_or(0);
        if wake.is_some() {
            o.armed_at.get_or_insert(now);
        }
        let day = self.day(now);
        day.d1_calls += 1;
        day.d1_statements += 1;
        self.set_wake(i, wake);
    }

    /// `sync::run`: the overdue alarms, oldest first, at most `SAFETY_NET_PER_RUN`.
    fn cron(&mut self, now: u64) {
        let day = self.day(now);
        day.cron_runs += 1;
        day.d1_calls += 1;
        day.d1_statements += 1;
        let cutoff = now.saturating_sub(OVERDUE_GRACE_MS);
        let mut overdue: Vec<(u64, usize)> = self
            .orgs
            .iter()
            .enumerate()
            .filter(|(_, o)| matches!(o.link, Link::Held { .. }) && o.mirrored_alarm < cutoff)
            .map(|(i, o)| (o.mirrored_alarm, i))
            .collect();
        overdue.sort_unstable();
        for &(_, i) in overdue.iter().take(SAFETY_NET_PER_RUN as usize) {
            // `/ensure-alarm`: one object call; the index and mirror batch, and the re-arm when none is set.
            let day = self.day(now);
            day.ensure_calls += 1;
            day.d1_calls += 1;
            day.d1_statements += 2;
            match self.orgs[i].alarm {
                Some(t) => self.orgs[i].mirrored_alarm = t,
                None => self.rearm(i, now, false),
            }
        }
    }

    fn disconnect(&mut self, i: usize, now: u64) {
        if matches!(self.orgs[i].link, Link::Held { .. }) {
            let gap = now - self.orgs[i].last_refresh_seen;
            self.orgs[i].max_refresh_gap = self.orgs[i].max_refresh_gap.max(gap);
        }
        self.orgs[i].link = Link::NotConnected;
        self.orgs[i].last_poll_done = None;
        self.rearm(i, now, true);
    }

    fn reconnect(&mut self, i: usize, now: u64) {
        let o = &mut self.orgs[i];
        o.link = Link::Held {
            tenant_chosen: true,
            last_refresh_ms: now,
        };
        o.last_refresh_seen = now;
        o.access_expires = now + ACCESS_TTL;
        self.day(now).token += 1;
        self.rearm(i, now, true);
    }
}

/// Runs the scenario.
pub fn run(s: &Scenario) -> Report {
    let k = s.knobs;
    let end = T0 + s.days * DAY;
    let mut w = World {
        k,
        orgs: (0..s.orgs).map(|i| org_sim(i, &k)).collect(),
        queue: BinaryHeap::new(),
        days: vec![Day::default(); s.days as usize],
        minute_calls: vec![0; (s.days * 1_440) as usize],
        max_subrequests: 0,
        end,
    };
    let mut t = T0;
    while t < end {
        w.queue.push(Reverse((t, Event::Cron)));
        t += CRON_EVERY;
    }
    for i in 0..s.orgs {
        if w.orgs[i].kind == Kind::Disconnecting {
            let at = T0 + (10 + i as u64 % 50) * DAY + 3_600 * SEC;
            w.queue.push(Reverse((at, Event::Disconnect(i))));
            if i % 2 == 0 {
                w.queue.push(Reverse((at + 7 * DAY, Event::Reconnect(i))));
            }
        }
    }
    let mut current_day = 0;
    while let Some(Reverse((now, event))) = w.queue.pop() {
        if now >= w.end {
            break;
        }
        let day = (now - T0) / DAY;
        if day != current_day {
            current_day = day;
            for o in &mut w.orgs {
                o.max_calls_day = o.max_calls_day.max(o.calls_today);
                o.calls_today = 0;
            }
        }
        match event {
            Event::Cron => w.cron(now),
            Event::Alarm(i, generation) if w.orgs[i].generation == generation => {
                w.orgs[i].alarm = None;
                w.alarm(i, now);
            }
            Event::Alarm(..) => {}
            Event::Disconnect(i) => w.disconnect(i, now),
            Event::Reconnect(i) => w.reconnect(i, now),
        }
    }
    report(s, &w)
}

fn report(s: &Scenario, w: &World) -> Report {
    let end = w.end;
    let mut r = Report {
        orgs: s.orgs,
        days: s.days,
        max_refresh_gap_ms: 0,
        died_idle: 0,
        max_poll_gap_healthy_ms: 0,
        max_poll_gap_outage_ms: 0,
        max_poll_gap_busy_ms: 0,
        all_armed_after_ms: 0,
        never_polled: 0,
        max_subrequests_per_alarm: w.max_subrequests,
        max_calls_per_org_day: 0,
        peak_app_calls_per_minute: u64::from(w.minute_calls.iter().copied().max().unwrap_or(0)),
        reconnect_required: 0,
        stray_alarms: 0,
        per_day: PerDay::default(),
    };
    for o in &w.orgs {
        r.max_calls_per_org_day = r
            .max_calls_per_org_day
            .max(o.max_calls_day.max(o.calls_today));
        match o.link {
            Link::Held { tenant_chosen, .. } => {
                // The open gap up to the end counts too.
                let gap = o.max_refresh_gap.max(end - o.last_refresh_seen);
                r.max_refresh_gap_ms = r.max_refresh_gap_ms.max(gap);
                if o.alarm.is_none() {
                    r.all_armed_after_ms = u64::MAX;
                }
                if tenant_chosen && o.enabled && o.last_poll_done.is_none() {
                    r.never_polled += 1;
                }
            }
            Link::ReconnectRequired => {
                r.reconnect_required += 1;
                if o.kind != Kind::Revoked {
                    r.died_idle += 1;
                }
                r.stray_alarms += usize::from(o.alarm.is_some());
            }
            Link::NotConnected => r.stray_alarms += usize::from(o.alarm.is_some()),
        }
        if o.kind != Kind::Revoked {
            r.max_refresh_gap_ms = r.max_refresh_gap_ms.max(o.max_refresh_gap);
        }
        let gap = o.max_poll_gap;
        match o.kind {
            Kind::Outage => r.max_poll_gap_outage_ms = r.max_poll_gap_outage_ms.max(gap),
            Kind::Busy => r.max_poll_gap_busy_ms = r.max_poll_gap_busy_ms.max(gap),
            _ => r.max_poll_gap_healthy_ms = r.max_poll_gap_healthy_ms.max(gap),
        }
    }
    if r.all_armed_after_ms != u64::MAX {
        r.all_armed_after_ms = w
            .orgs
            .iter()
            .filter_map(|o| o.armed_at)
            .max()
            .map_or(0, |t| t.saturating_sub(T0));
    }
    let steady = &w.days[(s.steady_from_day as usize).min(w.days.len() - 1)..];
    let n = steady.len().max(1) as f64;
    let sum = |f: fn(&Day) -> u64| steady.iter().map(f).sum::<u64>() as f64 / n;
    r.per_day = PerDay {
        do_invocations: sum(|d| d.alarms + d.ensure_calls),
        worker_invocations: sum(|d| d.cron_runs),
        xero_api: sum(|d| d.xero_api),
        token: sum(|d| d.token),
        d1_calls: sum(|d| d.d1_calls),
        d1_statements: sum(|d| d.d1_statements),
        subrequests: sum(|d| d.xero_api + d.token + d.d1_calls + d.ensure_calls),
        windows: sum(|d| d.windows_done),
    };
    r
}

impl Report {
    /// One figure a line: `name: value unit (goal …)`.
    pub fn lines(&self) -> Vec<String> {
        let days = |ms: u64| ms as f64 / DAY as f64;
        let mins = |ms: u64| ms as f64 / MIN as f64;
        let per_org = |v: f64| v / self.orgs as f64;
        let p = &self.per_day;
        vec![
            format!("alarms organisations: {} orgs over {} days (goal 10000 orgs, 90 days)", self.orgs, self.days),
            format!("alarms max gap between refreshes: {:.1} days (goal < 60)", days(self.max_refresh_gap_ms)),
            format!("alarms connections died idle: {} orgs (goal 0)", self.died_idle),
            format!("alarms all connected orgs armed by the safety net after: {:.1} hours (goal < 60 days)", self.all_armed_after_ms as f64 / 3_600_000.0),
            format!("alarms enabled orgs never polled: {} orgs (goal 0)", self.never_polled),
            format!("alarms max gap between completed polls, healthy: {:.1} min (goal ≈ POLL_INTERVAL_SECS 15 min)", mins(self.max_poll_gap_healthy_ms)),
            format!("alarms max gap between completed polls, busy (200-page full re-reads): {:.1} min (goal < 30)", mins(self.max_poll_gap_busy_ms)),
            format!("alarms max gap between completed polls, 3-day Xero outage: {:.1} days (goal outage + back-off ≤ 3.1)", days(self.max_poll_gap_outage_ms)),
            format!("alarms stray alarms (disconnected or reconnect required): {} (goal 0)", self.stray_alarms),
            format!("alarms reconnect required (refresh token revoked at Xero): {} orgs (goal = revoked orgs)", self.reconnect_required),
            format!("alarms max subrequests in one alarm: {} subrequests (goal ≤ 50, Workers Free per invocation; bound {})", self.max_subrequests_per_alarm, schedule::MAX_SUBREQUESTS_PER_ALARM),
            format!("alarms pages per alarm: {} pages (goal bounded)", PAGES_PER_ALARM),
            format!("alarms max Xero calls per org per day: {} calls (goal ≤ 1000, Xero Starter's day limit)", self.max_calls_per_org_day),
            format!("alarms peak Xero API calls per minute, whole app: {} calls (goal < 10000, Xero's app limit)", self.peak_app_calls_per_minute),
            format!("alarms DO invocations per day: {:.0} invocations (goal —; {:.1} per org)", p.do_invocations, per_org(p.do_invocations)),
            format!("alarms Worker invocations per day: {:.0} invocations (goal —; the safety-net cron)", p.worker_invocations),
            format!("alarms Xero API calls per day: {:.0} calls (goal —; {:.1} per org)", p.xero_api, per_org(p.xero_api)),
            format!("alarms token refreshes per day: {:.0} calls (goal —; {:.1} per org)", p.token, per_org(p.token)),
            format!("alarms D1 calls per day: {:.0} calls (goal —; {:.1} per org)", p.d1_calls, per_org(p.d1_calls)),
            format!("alarms D1 statements per day: {:.0} statements (goal —; {:.1} per org)", p.d1_statements, per_org(p.d1_statements)),
            format!("alarms subrequests per day: {:.0} subrequests (goal —; {:.1} per org)", p.subrequests, per_org(p.subrequests)),
            format!("alarms completed poll windows per day: {:.0} windows (goal —; {:.1} per org)", p.windows, per_org(p.windows)),
        ]
    }
}
