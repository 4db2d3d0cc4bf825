//! Settings of the web view that Tauri does not expose.

use tauri::{Manager, Runtime};

/// One local page, never browsed: WebKit's "document viewer" cache model keeps no page cache
/// and a small memory cache, which saves memory at no visible cost.
pub(crate) fn tune<R: Runtime>(app: &tauri::App<R>) {
    #[cfg(target_os = "linux")]
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.with_webview(|webview| {
            use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
            if let Some(context) = webview.inner().context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}
