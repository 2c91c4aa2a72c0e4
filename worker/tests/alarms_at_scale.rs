//! The 10,000-organisation alarm simulation (`examples/alarms_at_scale`), smaller: the same driver over 600
//! organisations and 90 days, asserting what the bench prints (rules C4, B1, C2, X2).

#[path = "../examples/alarms_at_scale/sim.rs"]
mod sim;

const DAY: u64 = 86_400_000;
const MIN: u64 = 60_000;

#[test]
fn rule_c4_b1_every_connected_organisation_stays_alive_and_is_polled_on_schedule() {
    let r = sim::run(&sim::Scenario::production(600, 90));
    let lines = r.lines().join("\n");
    assert!(r.max_refresh_gap_ms < 60 * DAY, "{lines}");
    assert!(
        r.max_refresh_gap_ms <= 8 * DAY,
        "keepalive every 7 days: {lines}"
    );
    assert_eq!(r.died_idle, 0, "{lines}");
    assert_eq!(r.never_polled, 0, "{lines}");
    assert_eq!(r.stray_alarms, 0, "{lines}");
    assert!(r.max_poll_gap_healthy_ms <= 16 * MIN, "{lines}");
    assert!(r.max_poll_gap_busy_ms <= 30 * MIN, "{lines}");
    assert!(
        r.max_poll_gap_outage_ms <= 3 * DAY + 2 * 3_600_000,
        "{lines}"
    );
    assert!(r.all_armed_after_ms <= DAY, "{lines}");
    assert!(r.max_subrequests_per_alarm <= 50, "{lines}");
    assert!(r.max_calls_per_org_day <= 1_000, "{lines}");
    assert_eq!(
        r.reconnect_required, 18,
        "the revoked ones (3 in 100): {lines}"
    );
}
