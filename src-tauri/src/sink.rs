//! The pipeline's way out to the desktop: each change of the card becomes a `pop` event for
//! the page, a refusal a `refused` event, and an alert a notification or a raised window. It
//! works with no page listening: the page reads the board when it starts.

use screenpop_core::pop::{Alert, CardUpdate, Sink};
use tauri::{AppHandle, Emitter, Runtime};

use screenpop_page::views::PopView;

/// The sink of the app's one window.
pub(crate) struct WindowSink<R: Runtime>(pub(crate) AppHandle<R>);

impl<R: Runtime> Sink for WindowSink<R> {
    fn publish(&self, state: &CardUpdate) {
        let _ = self.0.emit("pop", PopView::from(state));
    }

    fn refused(&self, message: &str) {
        let _ = self.0.emit("refused", message);
    }

    fn in_front(&self) -> bool {
        crate::notify::window_in_front(&self.0)
    }

    fn alert(&self, alert: &Alert) {
        crate::notify::caller_arrived(&self.0, alert);
    }

    fn open_record(&self, url: &str) {
        if let Err(e) = crate::browser::open(url) {
            eprintln!("screenpop: the caller's record could not be opened: {e}");
        }
    }
}
