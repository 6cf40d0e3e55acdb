//! Rebuilds when a migration changes: `embed_migrations!` reads the folder at compile time, and
//! Cargo does not otherwise know to look there.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
