//! Settings of the web view that Tauri does not expose.

use tauri::Runtime;

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
