//! Start-up configuration (the CLI flags map onto this one to one).

use crate::error::SimError;
use crate::faults::FaultSettings;
use crate::limits::LimitSettings;

/// A registered OAuth client (Xero "app").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientApp {
    /// `client_id`.
    pub id: String,
    /// `client_secret`.
    pub secret: String,
}

/// Where webhooks go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// The receiver's URL.
    pub url: String,
    /// The webhook signing key.
    pub key: String,
}

/// Everything the simulator is started with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Seed the demo organisations' data at start.
    pub seed_demo: bool,
    /// Serve `/_sim/` (off by default).
    pub control: bool,
    /// Validate every request body against Xero's OpenAPI schemas (400 on a violation).
    pub strict: bool,
    /// Registered OAuth clients.
    pub clients: Vec<ClientApp>,
    /// Rate limits.
    pub limits: LimitSettings,
    /// Faults to inject (latency included).
    pub faults: FaultSettings,
    /// A webhook subscription configured at start.
    pub webhook: Option<WebhookSettings>,
}

/// The demo app's client id (also shown on the consent page).
pub const DEMO_CLIENT_ID: &str = "xerosync-demo";
/// The demo app's client secret.
pub const DEMO_CLIENT_SECRET: &str = "xerosync-demo-secret";

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 0,
            seed_demo: false,
            control: false,
            strict: false,
            clients: vec![ClientApp {
                id: DEMO_CLIENT_ID.to_owned(),
                secret: DEMO_CLIENT_SECRET.to_owned(),
            }],
            limits: LimitSettings::default(),
            faults: FaultSettings::default(),
            webhook: None,
        }
    }
}

impl Config {
    /// What tests want: port 0, control on, strict on, demo data seeded.
    pub fn for_tests() -> Self {
        Self {
            seed_demo: true,
            control: true,
            strict: true,
            ..Self::default()
        }
    }

    /// Parses the command line (without the program name).
    pub fn from_args<I: IntoIterator<Item = String>>(args: I) -> Result<Self, SimError> {
        let mut config = Self::default();
        let mut args = args.into_iter();
        let bad = |flag: &str, reason: &str| SimError::BadFlag {
            flag: flag.to_owned(),
            reason: reason.to_owned(),
        };
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
                _ => (arg.clone(), None),
            };
            let mut value = |name: &str| -> Result<String, SimError> {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| bad(name, "needs a value"))
            };
            match flag.as_str() {
                "--port" => {
                    config.port = value("--port")?
                        .parse()
                        .map_err(|_| bad("--port", "not a port number"))?
                }
                "--seed" => match value("--seed")?.as_str() {
                    "demo" => config.seed_demo = true,
                    "none" => config.seed_demo = false,
                    other => {
                        return Err(bad(
                            "--seed",
                            &format!("unknown seed `{other}` (demo, none)"),
                        ))
                    }
                },
                "--latency-ms" => {
                    config.faults.latency_ms = value("--latency-ms")?
                        .parse()
                        .map_err(|_| bad("--latency-ms", "not a number of milliseconds"))?
                }
                "--faults" => config.faults.apply_spec(&value("--faults")?)?,
                "--control" => config.control = true,
                "--strict" => config.strict = true,
                "--client" => {
                    let v = value("--client")?;
                    let (id, secret) = v
                        .split_once(':')
                        .ok_or_else(|| bad("--client", "expected id:secret"))?;
                    config.clients.push(ClientApp {
                        id: id.to_owned(),
                        secret: secret.to_owned(),
                    });
                }
                "--webhook-url" => {
                    let url = value("--webhook-url")?;
                    let key = config.webhook.take().map(|w| w.key).unwrap_or_default();
                    config.webhook = Some(WebhookSettings { url, key });
                }
                "--webhook-key" => {
                    let key = value("--webhook-key")?;
                    let url = config.webhook.take().map(|w| w.url).unwrap_or_default();
                    config.webhook = Some(WebhookSettings { url, key });
                }
                "--minute-limit" => {
                    config.limits.per_minute = value("--minute-limit")?
                        .parse()
                        .map_err(|_| bad("--minute-limit", "not a number"))?
                }
                "--day-limit" => {
                    config.limits.per_day = value("--day-limit")?
                        .parse()
                        .map_err(|_| bad("--day-limit", "not a number"))?
                }
                "--no-limits" => config.limits.enabled = false,
                other => return Err(bad(other, "unknown flag (see --help)")),
            }
        }
        Ok(config)
    }
}

/// The `--help` text.
pub const USAGE: &str = "\
xero-sim: a local Xero for xerosync's demo and tests (listens on 127.0.0.1 only)

usage: xero-sim [--port N] [--seed demo] [--latency-ms N] [--faults SPEC] [--control] [--strict]
                [--client ID:SECRET] [--webhook-url URL --webhook-key KEY]
                [--minute-limit N] [--day-limit N] [--no-limits]

  --port N          port on 127.0.0.1 (0, the default, picks a free one); the base URL is printed on stdout
  --seed demo       create the demo organisations' contacts, items and invoices
  --latency-ms N    add N ms to every API answer
  --faults SPEC     e.g. rate500=0.05,rate503=0.02,rate429=0.1,drop=0.01,seed=7
  --control         serve the control API under /_sim/ (reset, seed, clock, faults, counters, dump)
  --strict          check every request body against Xero's OpenAPI schemas
  --client ID:SECRET  register another OAuth client (the demo client xerosync-demo:xerosync-demo-secret is built in)
";
