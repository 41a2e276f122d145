//! Copying files and directories to and from a container with the client (`copy_to`,
//! `copy_from`: tar over exec, as `kubectl cp`), against the test server's local kubelet, whose
//! "containers" run host commands, so the host's `tar` does the container's side. Skipped with
//! a message when tar is missing, except on CI.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::api::core::v1::{Container, Pod, PodSpec};
use kubeclient::meta::v1::{CreateOptions, ObjectMeta};
use kubeclient::remotecommand::CopyOptions;
use kubeclient::Clientset;
use kubeclient_testserver::TestServer;
use std::path::Path;

fn tar_found() -> bool {
    let tar = std::process::Command::new("tar").arg("--version").output();
    kubeclient_test_support::require(tar.ok().filter(|o| o.status.success()), "tar on PATH")
        .is_some()
}

/// A test server with the local kubelet in `dir` and pod `web` (container `main`, working in
/// `dir/default/web/main`).
async fn local_server(dir: &Path) -> (TestServer, Clientset) {
    let server = TestServer::builder()
        .local_kubelet(dir)
        .start()
        .await
        .expect("server starts");
    let cs = Clientset::new(server.config()).expect("clientset");
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some("web".into()),
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
    cs.core_v1()
        .pods("default")
        .create(&pod, &CreateOptions::default())
        .await
        .expect("pod created");
    (server, cs)
}

/// Two megabytes that are not all alike, so a lost or reordered chunk shows.
fn payload() -> Vec<u8> {
    (0..2_000_000u32).map(|i| (i * 7 + i / 251) as u8).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_goes_in_and_comes_back_unchanged() {
    if !tar_found() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, cs) = local_server(&dir.path().join("kubelet")).await;
    let pods = cs.core_v1().pods("default");
    let opts = CopyOptions::default();
    let local = dir.path().join("up.bin");
    std::fs::write(&local, payload()).unwrap();

    pods.copy_to("web", &local, "data.bin", &opts)
        .await
        .unwrap();
    let in_container = dir.path().join("kubelet/default/web/main/data.bin");
    assert_eq!(std::fs::read(&in_container).unwrap(), payload());

    let back = dir.path().join("down.bin");
    pods.copy_from("web", "data.bin", &back, &opts)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&back).unwrap(), payload());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_tree_goes_in_and_comes_back() {
    if !tar_found() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, cs) = local_server(&dir.path().join("kubelet")).await;
    let pods = cs.core_v1().pods("default");
    let opts = CopyOptions {
        container: Some("main".into()),
    };
    let tree = dir.path().join("tree");
    std::fs::create_dir_all(tree.join("a/b")).unwrap();
    std::fs::create_dir_all(tree.join("empty")).unwrap();
    std::fs::write(tree.join("top.txt"), "top").unwrap();
    std::fs::write(tree.join("a/b/deep.txt"), "deep").unwrap();

    pods.copy_to("web", &tree, "copied", &opts).await.unwrap();
    let remote = dir.path().join("kubelet/default/web/main/copied");
    assert_eq!(
        std::fs::read_to_string(remote.join("a/b/deep.txt")).unwrap(),
        "deep"
    );

    let back = dir.path().join("back");
    pods.copy_from("web", "copied", &back, &opts).await.unwrap();
    assert_eq!(
        std::fs::read_to_string(back.join("top.txt")).unwrap(),
        "top"
    );
    assert_eq!(
        std::fs::read_to_string(back.join("a/b/deep.txt")).unwrap(),
        "deep"
    );
    assert!(back.join("empty").is_dir());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_name_the_path_and_what_tar_said() {
    if !tar_found() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, cs) = local_server(&dir.path().join("kubelet")).await;
    let pods = cs.core_v1().pods("default");
    let opts = CopyOptions::default();

    let err = pods
        .copy_from("web", "no-such-file", &dir.path().join("x"), &opts)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"no-such-file\"") && err.contains("exit code"),
        "{err}"
    );
    assert!(!dir.path().join("x").exists());

    let err = pods
        .copy_to("web", &dir.path().join("missing"), "x", &opts)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing"), "{err}");

    let err = pods
        .copy_to("web", dir.path(), "/", &opts)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not name a file"), "{err}");

    let err = pods
        .copy_from("nope", "f", &dir.path().join("y"), &opts)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("not found"), "{err}");
}
