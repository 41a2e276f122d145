//! A user's program: lists the pods of a namespace with the default kubeconfig.

use kubeclient::meta::v1::ListOptions;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cs = kubeclient::Clientset::new(kubeclient::clientcmd::load_default()?)?;
    let pods = cs.core_v1().pods("default").list(&ListOptions::default()).await?;
    for p in &pods.items {
        println!("{}", p.metadata.name.as_deref().unwrap_or_default());
    }
    println!("generated for Kubernetes {}", kubeclient::KUBERNETES_VERSION);
    Ok(())
}
