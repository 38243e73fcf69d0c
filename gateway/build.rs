//! `sqlx::migrate!` embeds the migrations at compile time but cannot ask
//! cargo to watch the folder on stable Rust: without this, adding a
//! migration file alone would not rebuild the service.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
