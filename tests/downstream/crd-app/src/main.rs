//! A user's operator-to-be: its own CRD's types and client beside one built-in group.

#[allow(missing_docs, clippy::all)]
pub mod crds {
    include!(concat!(env!("OUT_DIR"), "/lib.rs"));
}

use crds::api::example_downstream::v1::{Gadget, GadgetSpec};
use kubeclient::api::apps::v1::Deployment;

fn main() {
    let g = Gadget {
        spec: Some(GadgetSpec {
            size: 3,
            ..Default::default()
        }),
        ..Default::default()
    };
    let text = kubeclient::runtime::serde_json::to_string(&g).unwrap_or_default();
    println!("{text}");
    let d = Deployment::default();
    println!("{}", d.metadata.name.unwrap_or_default());
    // The typed client exists, on the same runtime as kubeclient's.
    let _ = |cs: &crds::Clientset| cs.example_downstream_v1().gadgets("default");
}
