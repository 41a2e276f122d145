//! Port-forward (client-go `tools/portforward`) over WebSocket with the kubelet's
//! `v4.channel.k8s.io` port-forward protocol: for the i-th requested port, channel 2i carries
//! data both ways and 2i+1 the server's errors; each channel's first two bytes from the server
//! are the port number (little endian). One connection per port per WebSocket: to forward many
//! connections, open one [`PortForwarder`] per connection, as [`LocalForward`] does.
//!
//! kube-apiserver passes this protocol to the kubelet unchanged. kubectl 1.31+ tunnels SPDY
//! inside WebSocket instead; that is not spoken here.

mod local;
mod stream;

pub use local::LocalForward;
pub use stream::{PortForwarder, PortStream};

/// The subprotocol offered.
pub const PROTOCOL: &str = "v4.channel.k8s.io";
