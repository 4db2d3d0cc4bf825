//! Whether the window's web engine is there. On Windows it is the Microsoft Edge WebView2
//! Runtime, which not every Windows has (see [`crate::webview2`]); elsewhere it comes with the
//! package's dependencies (WebKitGTK) or with the system (WKWebView), so it is always there.

use crate::Error;

/// What was found, or why the window cannot open.
pub(super) fn check() -> Result<String, Error> {
    #[cfg(windows)]
    {
        match crate::webview2::registration() {
            Some(r) => Ok(format!(
                "Microsoft Edge WebView2 Runtime {} (registered at {}).",
                r.version, r.key
            )),
            None => Err(Error::WebViewMissing {
                detail: "none is registered under EdgeUpdate".to_owned(),
            }),
        }
    }
    #[cfg(target_os = "macos")]
    {
        Ok("The system's WebKit (WKWebView).".to_owned())
    }
    #[cfg(not(any(windows, target_os = "macos")))]
    {
        Ok("WebKitGTK, installed with the package's dependencies.".to_owned())
    }
}
