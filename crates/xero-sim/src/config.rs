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
    /// Seed the demo organisations' data at start (`--seed demo`).
    pub seed_demo: bool,
    /// Seed the lived-in organisation's data at start (`--seed lived-in`).
    pub seed_lived_in: bool,
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
            seed_lived_in: false,
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

/// Which data to seed: `demo` (the UK and NZ demo organisations), `lived-in` (`Lived-in Ltd (UK)`), both, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seeds {
    /// The demo organisations' data.
    pub demo: bool,
    /// The lived-in organisation's data.
    pub lived_in: bool,
}

impl Seeds {
    /// Parses a comma-separated list: `demo`, `lived-in`, `demo,lived-in`, `none`.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut seeds = Self::default();
        for name in list.split(',').map(str::trim) {
            match name {
                "demo" => seeds.demo = true,
                "lived-in" => seeds.lived_in = true,
                "none" => {}
                other => return Err(format!("unknown seed `{other}` (demo, lived-in, none)")),
            }
        }
        Ok(seeds)
    }
}

impl Config {
    /// What the configuration seeds at start (and on a reset without a `seed`).
    pub fn seeds(&self) -> Seeds {
        Seeds {
            demo: self.seed_demo,
            lived_in: self.seed_lived_in,
        }
    }

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
                // Repeated `--seed` flags add up (a harness passing `--seed demo` plus a caller's `--seed lived-in`
                // gets both); `none` clears what came before.
                "--seed" => {
                    let seeds = Seeds::parse(&value("--seed")?).map_err(|e| bad("--seed", &e))?;
                    if seeds == Seeds::default() {
                        (config.seed_demo, config.seed_lived_in) = (false, false);
                    }
                    config.seed_demo |= seeds.demo;
                    config.seed_lived_in |= seeds.lived_in;
                }
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

usage: xero-sim [--port N] [--seed demo|lived-in|demo,lived-in|none] [--latency-ms N] [--faults SPEC] [--control] [--strict]
                [--client ID:SECRET] [--webhook-url URL --webhook-key KEY]
                [--minute-limit N] [--day-limit N] [--no-limits]

  --port N          port on 127.0.0.1 (0, the default, picks a free one); the base URL is printed on stdout
  --seed LIST       demo: the UK and NZ demo organisations' contacts, items and invoices; lived-in: Lived-in Ltd (UK)'s
                    few hundred customers, items and invoices (some colliding with the demo CRM); comma-separated,
                    repeated flags add up, none clears
  --latency-ms N    add N ms to every API answer
  --faults SPEC     e.g. rate500=0.05,rate503=0.02,rate429=0.1,drop=0.01,seed=7
  --control         serve the control API under /_sim/ (reset, seed, clock, faults, counters, dump)
  --strict          check every request body against Xero's OpenAPI schemas
  --client ID:SECRET  register another OAuth client (the demo client xerosync-demo:xerosync-demo-secret is built in)
";
