//! The `connect` subresources of [`ResourceClient`]: exec and attach sessions, and HTTP
//! through `pods/proxy`, `services/proxy`, `nodes/proxy`. Each exists only for kinds whose
//! spec declares it (the markers of [`crate::resource::subresources`]).

use super::ResourceClient;
use crate::portforward::{LocalForward, PortForwarder};
use crate::remotecommand::{
    copy_from, copy_to, protocol, AttachOptions, CopyOptions, ExecOptions, Process,
};
use crate::resource::subresources;
use crate::rest::{Error, Request, Result};
use bytes::Bytes;
use reqwest::Method;

impl<K: subresources::Exec> ResourceClient<K> {
    /// Run a command in a container of object `name` (client-go `remotecommand` over
    /// WebSocket, `v5.channel.k8s.io` with `v4` as fallback). The session starts once the
    /// server switched protocols; a refused upgrade (pod not found, not running, no such
    /// container, forbidden) is [`Error::Api`] with the server's `Status`.
    pub async fn exec(&self, name: &str, opts: &ExecOptions) -> Result<Process> {
        if opts.command.is_empty() {
            return Err(Error::InvalidRequest("exec needs a command".into()));
        }
        let ws = self
            .object(self.rest_client().get(), name)
            .sub_resource("exec")
            .params(opts.query_pairs())
            .upgrade(protocol::PROTOCOLS)
            .await?;
        Ok(Process::start(ws, opts.stdin, opts.stdout, opts.stderr))
    }

    /// Copy the local file or directory `local` into a container of object `name`, where it
    /// becomes `remote` (`kubectl cp LOCAL NAME:REMOTE`: tar over exec, so the container needs
    /// `tar`). A failing remote `tar` is [`Error::Stream`] with its exit code and stderr.
    pub async fn copy_to(
        &self,
        name: &str,
        local: &std::path::Path,
        remote: &str,
        opts: &CopyOptions,
    ) -> Result<()> {
        copy_to(
            |exec| async move { self.exec(name, &exec).await },
            local,
            remote,
            opts,
        )
        .await
    }

    /// Copy `remote` (a file or directory in a container of object `name`) to `local`
    /// (`kubectl cp NAME:REMOTE LOCAL`). The archive is treated as untrusted: entries outside
    /// `remote` are refused and links are skipped, so nothing is written outside `local`.
    pub async fn copy_from(
        &self,
        name: &str,
        remote: &str,
        local: &std::path::Path,
        opts: &CopyOptions,
    ) -> Result<()> {
        copy_from(
            |exec| async move { self.exec(name, &exec).await },
            remote,
            local,
            opts,
        )
        .await
    }
}

impl<K: subresources::Attach> ResourceClient<K> {
    /// Attach to the main process of a container of object `name`, as [`Self::exec`] does for
    /// a new command.
    pub async fn attach(&self, name: &str, opts: &AttachOptions) -> Result<Process> {
        let ws = self
            .object(self.rest_client().get(), name)
            .sub_resource("attach")
            .params(opts.query_pairs())
            .upgrade(protocol::PROTOCOLS)
            .await?;
        Ok(Process::start(ws, opts.stdin, opts.stdout, opts.stderr))
    }
}

impl<K: subresources::PortForward> ResourceClient<K> {
    /// Connect to `ports` of object `name` (one connection per port; see
    /// [`crate::portforward`]). A refused upgrade is [`Error::Api`] with the server's `Status`;
    /// a port nothing listens on is reported by [`PortForwarder::join`].
    pub async fn port_forward(&self, name: &str, ports: &[u16]) -> Result<PortForwarder> {
        if ports.is_empty() || ports.len() > 127 || ports.contains(&0) {
            return Err(Error::InvalidRequest(
                "port-forward needs 1 to 127 ports, none of them 0".into(),
            ));
        }
        let list: Vec<String> = ports.iter().map(u16::to_string).collect();
        let ws = self
            .object(self.rest_client().get(), name)
            .sub_resource("portforward")
            .param("ports", list.join(","))
            .upgrade(&[crate::portforward::PROTOCOL])
            .await?;
        Ok(PortForwarder::start(ws, ports))
    }

    /// Listen on `listener` and forward each connection to `port` of object `name`, as
    /// `kubectl port-forward` does. Stops when the returned handle is dropped.
    pub fn forward_local(
        &self,
        name: &str,
        listener: tokio::net::TcpListener,
        port: u16,
    ) -> std::io::Result<LocalForward> {
        LocalForward::start(self.clone(), name, listener, port)
    }
}

impl<K: subresources::Proxy> ResourceClient<K> {
    /// A request with `method` to `path` on object `name` through the API server's proxy
    /// (`.../{name}/proxy/{path}`). For a service or pod, `name` may be `name:port` or
    /// `scheme:name:port`. Add a body, query or headers on the returned [`Request`].
    pub fn proxy(&self, method: Method, name: &str, path: &str) -> Request {
        let req = self
            .object(self.rest_client().verb(method), name)
            .sub_resource("proxy");
        let path = path.trim_start_matches('/');
        // `..` would leave the proxy for another API path of the same server.
        if path.split('/').any(|s| s == "." || s == "..") {
            return req.fail(Error::InvalidRequest(format!(
                "proxy path {path:?} may not contain '.' or '..' segments"
            )));
        }
        if path.is_empty() {
            req
        } else {
            req.sub_resource(path)
        }
    }

    /// `GET` `path` on object `name` through the proxy; the body as bytes.
    pub async fn proxy_get(&self, name: &str, path: &str) -> Result<Bytes> {
        self.proxy(Method::GET, name, path)
            .accept("*/*")
            .do_raw()
            .await
    }
}
