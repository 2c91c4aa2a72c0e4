//! xerosync-core: the pure engine (being built).
