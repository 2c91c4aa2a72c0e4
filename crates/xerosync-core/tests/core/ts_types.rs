//! The npm package's `types.generated.d.ts` is what the Rust types give (xerosync_core::ts): a Rust type changed
//! without its TypeScript fails here. `UPDATE_TYPES=1 cargo test -p xerosync-core --test core ts_types` rewrites it.

use std::path::Path;

#[test]
fn ts_types_generated_d_ts_is_what_the_rust_types_give() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../xerosync-wasm/types.generated.d.ts");
    let generated = xerosync_core::ts::declarations();
    if std::env::var_os("UPDATE_TYPES").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write types.generated.d.ts");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "crates/xerosync-wasm/types.generated.d.ts differs from the Rust types from line {}:\n  committed: {:?}\n  generated: {:?}\n\
             Run `UPDATE_TYPES=1 cargo test -p xerosync-core --test core ts_types`, then check index.d.ts and the package's tests.",
            line + 1,
            committed.lines().nth(line).unwrap_or("(end of file)"),
            generated.lines().nth(line).unwrap_or("(end of file)"),
        );
    }
}
