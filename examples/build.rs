//! Generates the `Greeting` types and typed client from the CRD in `crds/`, as a user's
//! operator crate would.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=crds/greeting.yaml");
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    kubeclient_codegen::Builder::new()
        .crd_file("crds/greeting.yaml")
        .root("crate::crds")
        .generate()?
        .write_to(&out_dir)?;
    Ok(())
}
