//! SPDY/3.1 for `pods/portforward`, as kubectl speaks it: directly after an HTTP `Upgrade:
//! SPDY/3.1` (kubectl 1.30 and older) or tunneled inside a WebSocket (1.31 and newer). Only
//! what Kubernetes' port-forward protocol needs is implemented.

mod dictionary;
pub mod frame;
pub mod port_forward;
pub mod tunnel;

/// The port-forward protocol's name (`X-Stream-Protocol-Version`).
pub const PORT_FORWARD_V1: &str = "portforward.k8s.io";
/// The WebSocket subprotocol carrying SPDY port-forward.
pub const TUNNELED_PORT_FORWARD: &str = "SPDY/3.1+portforward.k8s.io";
