//! The binary: `--port 0` prints the real base URL first; bad flags are refused with a clear message.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::*;

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn port_zero_prints_the_real_url_and_serves_the_consent_page() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_xero-sim"))
            .args([
                "--port",
                "0",
                "--seed",
                "demo",
                "--control",
                "--latency-ms",
                "1",
                "--faults",
                "rate500=0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );
    let page = send(client().get(format!(
        "{url}/identity/connect/authorize?response_type=code&client_id={DEMO_CLIENT_ID}&redirect_uri=http://127.0.0.1:9/cb&scope=openid&state=s"
    )))
    .await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Demo Company (UK)"));
    let tenants = send(client().get(format!("{url}/_sim/tenants"))).await;
    assert_eq!(tenants.status, 200);
}

#[test]
fn flags_parse_and_bad_ones_are_named() {
    let args = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let c = xero_sim::Config::from_args(args("--port 5055 --seed demo --latency-ms 20 --faults rate500=0.1,drop=0.05 --control --strict --day-limit 1000")).unwrap();
    assert_eq!(
        (c.port, c.seed_demo, c.control, c.strict),
        (5055, true, true, true)
    );
    assert_eq!(
        (c.faults.latency_ms, c.faults.rate500, c.faults.drop),
        (20, 0.1, 0.05)
    );
    assert_eq!(c.limits.per_day, 1000);
    let e = xero_sim::Config::from_args(args("--faults rate500=2")).unwrap_err();
    assert_eq!(e.code(), "bad_flag");
    assert!(e.to_string().contains("rate500=2"), "{e}");
    assert!(xero_sim::Config::from_args(args("--bogus"))
        .unwrap_err()
        .to_string()
        .contains("--bogus"));
    assert!(xero_sim::Config::from_args(args("--port")).is_err());
}
