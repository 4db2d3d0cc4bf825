//! The system browser: the one way out of the app to a web page, for the card's links, a
//! layout's CRM links and their `auto_open`. Only http(s) is ever opened.

use screenpop_core::Error;

/// Opens `url` in the system browser, if it is an http(s) link.
pub(crate) fn open(url: &str) -> Result<(), Error> {
    let parsed = url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| Error::BadInput("Only http and https links can be opened.".to_owned()))?;
    tauri_plugin_opener::open_url(parsed.as_str(), None::<&str>)
        .map_err(|e| Error::Config(format!("The browser could not be opened: {e}.")))
}
