//! Run a command in a pod, as `kubectl exec` does, with the generated clientset.
//!
//! ```text
//! cargo run -p kubeclient-testserver --example exec                       # in-process demo
//! cargo run -p kubeclient-testserver --example exec -- NAMESPACE POD [-c CONTAINER] [-i] -- CMD...
//! ```
//!
//! Without arguments it starts the test server with its local kubelet (which runs commands as
//! processes on this machine, in a temporary directory: for tests only), creates a pod and runs
//! a few commands in it. With arguments it uses your kubeconfig (`KUBECONFIG` or
//! `~/.kube/config`) and forwards this process's stdin with `-i`; the exit code is the
//! command's.

use kubeclient::api::core::v1::{Container, Pod, PodSpec};
use kubeclient::meta::v1::{CreateOptions, ObjectMeta};
use kubeclient::remotecommand::ExecOptions;
use kubeclient::Clientset;
use kubeclient_testserver::TestServer;
use std::process::ExitCode;
use tokio::io::AsyncWriteExt;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = if args.is_empty() {
        demo().await.map(|()| 0)
    } else {
        exec(&args).await
    };
    match result {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("exec: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `NAMESPACE POD [-c CONTAINER] [-i] -- CMD...` against the cluster of the kubeconfig.
async fn exec(args: &[String]) -> Result<i32, Error> {
    let usage = "usage: exec NAMESPACE POD [-c CONTAINER] [-i] -- CMD...";
    let split = args.iter().position(|a| a == "--").ok_or(usage)?;
    let (head, command) = (&args[..split], &args[split + 1..]);
    let (ns, pod, flags) = match head {
        [ns, pod, flags @ ..] => (ns, pod, flags),
        _ => return Err(usage.into()),
    };
    let mut opts = ExecOptions::command(command.iter().cloned());
    let mut it = flags.iter();
    while let Some(f) = it.next() {
        match f.as_str() {
            "-i" => opts = opts.stdin(true),
            "-c" => opts = opts.container(it.next().ok_or(usage)?.clone()),
            _ => return Err(usage.into()),
        }
    }
    let cs = Clientset::new(kubeclient::clientcmd::load_default()?)?;
    let mut process = cs.core_v1().pods(ns).exec(pod, &opts).await?;
    let stdin = process.stdin().map(|mut remote| {
        tokio::spawn(async move {
            let _ = tokio::io::copy(&mut tokio::io::stdin(), &mut remote).await;
            let _ = remote.shutdown().await;
        })
    });
    let mut stdout = process.stdout().ok_or("no stdout")?;
    let mut stderr = process.stderr().ok_or("no stderr")?;
    let (mut local_out, mut local_err) = (tokio::io::stdout(), tokio::io::stderr());
    let (out, err) = tokio::join!(
        tokio::io::copy(&mut stdout, &mut local_out),
        tokio::io::copy(&mut stderr, &mut local_err),
    );
    out?;
    err?;
    let status = process.wait().await?;
    if let Some(task) = stdin {
        task.abort();
    }
    Ok(status.code())
}

/// The in-process demo: a test server with the local kubelet, one pod, three commands.
async fn demo() -> Result<(), Error> {
    let root = std::env::temp_dir().join(format!("kubeclient-exec-example-{}", std::process::id()));
    let server = TestServer::builder().local_kubelet(&root).start().await?;
    let cs = Clientset::new(server.config())?;
    let pods = cs.core_v1().pods("default");
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some("demo".into()),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: "main".into(),
                image: Some("busybox".into()),
                ..Default::default()
            }],
            ..Default::default()
        }),
        ..Default::default()
    };
    pods.create(&pod, &CreateOptions::default()).await?;
    println!(
        "pod default/demo created; its container runs in {}",
        root.join("default/demo/main").display()
    );

    let out = pods
        .exec(
            "demo",
            &ExecOptions::command(["sh", "-c", "echo hello from $(pwd); echo oops >&2; exit 3"]),
        )
        .await?
        .output()
        .await?;
    print!("stdout: {}", String::from_utf8_lossy(&out.stdout));
    print!("stderr: {}", String::from_utf8_lossy(&out.stderr));
    println!("exit code: {}", out.status.code());

    let mut process = pods
        .exec("demo", &ExecOptions::command(["wc", "-c"]).stdin(true))
        .await?;
    let mut stdin = process.stdin().ok_or("no stdin")?;
    stdin.write_all(&[b'x'; 100_000]).await?;
    stdin.shutdown().await?;
    drop(stdin);
    let out = process.output().await?;
    println!(
        "wc -c counted {} bytes sent through stdin",
        String::from_utf8_lossy(&out.stdout).trim()
    );

    match pods
        .exec("demo", &ExecOptions::command(["true"]).container("nope"))
        .await
    {
        Err(e) => println!("unknown container: {e}"),
        Ok(_) => println!("unknown container: accepted?"),
    }
    let _ = std::fs::remove_dir_all(&root);
    Ok(())
}
