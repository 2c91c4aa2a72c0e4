//! xero-sim (being built).
