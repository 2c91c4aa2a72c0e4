//! The xerosync proxy Worker (being built).
