//! xero-schema: OpenAPI validation for tests (being built).
