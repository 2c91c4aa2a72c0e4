//! `npm run bench` step: 10,000 connected organisations over 90 simulated days, each kept alive and polled by its
//! own Connection-object alarm (`xerosync_worker::schedule`), with a fake Xero. Prints one figure a line
//! (`name: value unit (goal …)`): refresh and poll gaps, and what the schedule costs per day. See `sim.rs`.

mod sim;

fn main() {
    let orgs = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let started = std::time::Instant::now();
    let report = sim::run(&sim::Scenario::production(orgs, 90));
    for line in report.lines() {
        println!("{line}");
    }
    println!(
        "alarms simulation wall time: {:.1} s (goal —)",
        started.elapsed().as_secs_f64()
    );
}
