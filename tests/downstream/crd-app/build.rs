fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=crds/gadget.yaml");
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    kubeclient_codegen::Builder::new()
        .crd_file("crds/gadget.yaml")
        .root("crate::crds")
        .generate()?
        .write_to(&out_dir)?;
    Ok(())
}
