//! `cargo run -p kubeclient-examples --bin operator -- NAMESPACE`: the Greeting operator (see
//! `operator.rs`) against the cluster of the current kubeconfig context, until Ctrl-C.
use kubeclient_examples::operator;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let namespace = std::env::args().nth(1).unwrap_or_else(|| "default".into());
    let identity =
        std::env::var("POD_NAME").unwrap_or_else(|_| format!("pid-{}", std::process::id()));
    let config = kubeclient::clientcmd::load_default()?;
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let outcome =
        operator::run(config, &namespace, &identity, Default::default(), shutdown).await?;
    println!("stopped: {outcome:?}");
    Ok(())
}
