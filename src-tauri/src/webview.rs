//! Settings of the web view that Tauri does not expose.

use tauri::Runtime;

/// Runs the page's JavaScript without JavaScriptCore's just-in-time compilers, in the web
/// process WebKitGTK starts from this one (it inherits the environment). The page runs each of
/// its functions a few times per caller, which the interpreter does in well under a
/// millisecond; the compilers' code, their buffers and executable memory cost about 5 MiB per
/// window (the proportional set size of its three processes with and without them, read from
/// `/proc`), which a session host with fifty agents pays fifty times, and the JIT's gigabyte of
/// writable-executable memory is not there for an exploit to use. Call it first in `main`,
/// before any thread or window exists. An engineer can still set `JSC_useJIT=1` to compare.
pub fn prepare_web_engine() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("JSC_useJIT").is_none() {
        std::env::set_var("JSC_useJIT", "0");
    }
}

/// One local page, never browsed: WebKit's "document viewer" cache model keeps no page cache
/// and a small memory cache, and a card of text and boxes needs no GPU compositing (which costs
/// tens of megabytes of buffers, or a software GL stack where there is no GPU). Neither change
/// is visible. Applies to the window labelled `main`.
pub fn tune<R: Runtime>(app: &tauri::App<R>) {
    #[cfg(target_os = "linux")]
    if let Some(window) = tauri::Manager::get_webview_window(app, "main") {
        let _ = window.with_webview(|webview| {
            use webkit2gtk::{
                CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
            };
            let view = webview.inner();
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
            if let Some(settings) = WebViewExt::settings(&view) {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}
