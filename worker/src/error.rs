//! The Worker's one error enum. Every variant has a stable snake_case code (never renamed) and an HTTP status;
//! JSON error bodies are `{"error": {"code": …, "message": …}}` with the same codes the JS client sees.

use xerosync_core::proxy_contract::ProxyErrorCode;

/// Everything the proxy can refuse or fail with.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ProxyError {
    #[error("no session token: send `Authorization: Bearer <session>`")]
    MissingSession,
    #[error("session token rejected: {0}")]
    InvalidSession(String),
    #[error("session token expired")]
    ExpiredSession,
    #[error("role `{0}` may not use Xero (rule C1: finance or admin only)")]
    ForbiddenRole(String),
    #[error("origin `{0}` is not an allowed CRM origin")]
    ForbiddenOrigin(String),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("relay refused: {0}")]
    RelayRefused(String),
    #[error("invalid request: {field}: {message}")]
    InvalidRequest { field: String, message: String },
    #[error("OAuth state rejected: {0}")]
    InvalidState(String),
    #[error("connect ticket rejected: {0}")]
    InvalidTicket(String),
    #[error("request body larger than {limit} bytes")]
    PayloadTooLarge { limit: u64 },
    #[error("send Content-Length with a request body")]
    LengthRequired,
    #[error("Xero did not answer within {0} ms")]
    UpstreamTimeout(u64),
    #[error("the Xero integration is disabled in the settings (rule C2)")]
    IntegrationDisabled,
    #[error("not connected to Xero")]
    NotConnected,
    #[error("Xero connection needs to be re-made: {0}")]
    ReconnectRequired(String),
    #[error("pick one Xero organisation first (rule C7)")]
    TenantNotChosen,
    #[error("organisation `{0}` is not one this consent granted")]
    UnknownTenant(String),
    #[error("Xero organisation `{0}` is already connected to another CRM organisation; it must disconnect first")]
    TenantBound(String),
    #[error("rate limited ({problem}); retry after {retry_after} s")]
    RateLimited { retry_after: u64, problem: String },
    #[error("webhook signature rejected")]
    BadSignature,
    #[error("Xero could not be reached: {0}")]
    Upstream(String),
    #[error("server misconfigured: {0}")]
    Config(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ProxyError {
    /// The code on the wire (the core's proxy contract, shared with the client).
    pub fn kind(&self) -> ProxyErrorCode {
        match self {
            Self::MissingSession => ProxyErrorCode::MissingSession,
            Self::InvalidSession(_) => ProxyErrorCode::InvalidSession,
            Self::ExpiredSession => ProxyErrorCode::ExpiredSession,
            Self::ForbiddenRole(_) => ProxyErrorCode::ForbiddenRole,
            Self::ForbiddenOrigin(_) => ProxyErrorCode::ForbiddenOrigin,
            Self::NotFound => ProxyErrorCode::NotFound,
            Self::MethodNotAllowed => ProxyErrorCode::MethodNotAllowed,
            Self::RelayRefused(_) => ProxyErrorCode::RelayRefused,
            Self::InvalidRequest { .. } => ProxyErrorCode::InvalidRequest,
            Self::InvalidState(_) => ProxyErrorCode::InvalidState,
            Self::InvalidTicket(_) => ProxyErrorCode::InvalidTicket,
            Self::PayloadTooLarge { .. } => ProxyErrorCode::PayloadTooLarge,
            Self::LengthRequired => ProxyErrorCode::LengthRequired,
            Self::UpstreamTimeout(_) => ProxyErrorCode::UpstreamTimeout,
            Self::IntegrationDisabled => ProxyErrorCode::IntegrationDisabled,
            Self::NotConnected => ProxyErrorCode::NotConnected,
            Self::ReconnectRequired(_) => ProxyErrorCode::ReconnectRequired,
            Self::TenantNotChosen => ProxyErrorCode::TenantNotChosen,
            Self::UnknownTenant(_) => ProxyErrorCode::UnknownTenant,
            Self::TenantBound(_) => ProxyErrorCode::TenantBound,
            Self::RateLimited { .. } => ProxyErrorCode::RateLimited,
            Self::BadSignature => ProxyErrorCode::BadSignature,
            Self::Upstream(_) => ProxyErrorCode::UpstreamUnavailable,
            Self::Config(_) => ProxyErrorCode::ConfigError,
            Self::Internal(_) => ProxyErrorCode::InternalError,
        }
    }

    /// The stable code JSON bodies carry.
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The HTTP status the proxy answers with.
    pub fn status(&self) -> u16 {
        self.kind().status()
    }

    /// Shorthand for a field-level validation error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidRequest {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The JSON body of the error answer. Internal and configuration failures carry a fixed message (their
    /// detail goes to the Worker's log only): it can name storage, bindings or a decoder's view of a value.
    pub fn body(&self) -> serde_json::Value {
        let message = match self {
            Self::Internal(_) => "internal error (see the proxy's log)".to_owned(),
            Self::Config(_) => "the proxy is misconfigured (see its log and /health)".to_owned(),
            other => other.to_string(),
        };
        let mut err = serde_json::json!({ "code": self.code(), "message": message });
        if let Self::RateLimited { retry_after, .. } = self {
            err["retryAfter"] = serde_json::json!(retry_after);
        }
        serde_json::json!({ "error": err })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_are_stable() {
        assert_eq!(ProxyError::MissingSession.status(), 401);
        assert_eq!(ProxyError::ForbiddenRole("sales".into()).status(), 403);
        assert_eq!(
            ProxyError::ForbiddenRole("sales".into()).code(),
            "forbidden_role"
        );
        let e = ProxyError::RateLimited {
            retry_after: 7,
            problem: "minute".into(),
        };
        assert_eq!(e.status(), 429);
        assert_eq!(e.body()["error"]["retryAfter"], 7);
    }
}
