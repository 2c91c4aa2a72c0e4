//! The crate's error enum: start-up and configuration failures (Xero's own errors are HTTP answers, not these).

/// Why the simulator could not start or a flag was rejected.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A command-line flag or its value is not understood.
    #[error("bad flag {flag}: {reason}")]
    BadFlag {
        /// The flag as given.
        flag: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The listening socket could not be opened.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// The OS error.
        source: std::io::Error,
    },
    /// Strict mode was asked for but Xero's OpenAPI description could not be loaded.
    #[error("strict mode needs Xero's OpenAPI description: {0}")]
    Schemas(String),
}

impl SimError {
    /// A stable code for scripts and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadFlag { .. } => "bad_flag",
            Self::Bind { .. } => "bind_failed",
            Self::Schemas(_) => "schemas_unavailable",
        }
    }
}
