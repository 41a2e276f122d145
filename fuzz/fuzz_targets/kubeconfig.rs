//! The kubeconfig loader, `view()` and the client-config builder on arbitrary bytes: any input
//! is a `Config` or an `Error`, never a panic or a hang (YAML depth is bounded before parsing).
#![no_main]

use kubeclient_runtime::clientcmd::{self, view, ClientConfig, Overrides};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(config) = clientcmd::load(data) else {
        return;
    };
    let _ = view::view(&config, &view::ViewOptions::default());
    let _ = clientcmd::to_yaml(&config).map(|y| clientcmd::load(y.as_bytes()));
    let cc = ClientConfig::new(config, Overrides::default(), vec![]);
    let _ = cc.namespace();
    let _ = cc.rest_config();
});
