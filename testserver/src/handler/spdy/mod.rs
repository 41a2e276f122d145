//! SPDY/3.1 as kubectl speaks it: for `pods/portforward` directly after an HTTP `Upgrade:
//! SPDY/3.1` (kubectl 1.30 and older) or tunneled inside a WebSocket (1.31 and newer), and for
//! `pods/exec` and `pods/attach` after the upgrade (kubectl 1.29 and older). Only what
//! Kubernetes' streaming protocols need is implemented.

mod dictionary;
pub mod frame;
pub mod port_forward;
pub mod remotecommand;
mod streams;
pub mod tunnel;

/// The port-forward protocol's name (`X-Stream-Protocol-Version`).
pub const PORT_FORWARD_V1: &str = "portforward.k8s.io";
/// The WebSocket subprotocol carrying SPDY port-forward.
pub const TUNNELED_PORT_FORWARD: &str = "SPDY/3.1+portforward.k8s.io";
