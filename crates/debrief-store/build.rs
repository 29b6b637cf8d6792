// The migrations are embedded by `sqlx::migrate!`; rebuild when one changes or is added.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
