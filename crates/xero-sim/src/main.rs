//! `xero-sim --port N [--seed demo|lived-in|demo,lived-in] [--latency-ms N] [--faults …] [--control] [--strict]`: prints its base URL on
//! the first line of stdout, then serves until interrupted.

use std::io::Write;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{}", xero_sim::config::USAGE);
        return;
    }
    let config = match xero_sim::Config::from_args(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("xero-sim: {e} [{}]", e.code());
            std::process::exit(2);
        }
    };
    let control = config.control;
    let running = match xero_sim::start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("xero-sim: {e} [{}]", e.code());
            std::process::exit(1);
        }
    };
    println!("{}", running.base_url);
    let _ = std::io::stdout().flush();
    eprintln!(
        "xero-sim: listening on {} (consent page {}/identity/connect/authorize, control API {})",
        running.base_url,
        running.base_url,
        if control { "on under /_sim/" } else { "off" }
    );
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = running.wait() => {}
    }
}
