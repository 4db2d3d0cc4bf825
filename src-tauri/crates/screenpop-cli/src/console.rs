//! Where `screenpop` prints. On Windows the launcher is a GUI-subsystem program, so a click on a
//! `screenpop://` link never flashes a console window; run from a console it borrows that
//! console, so commands still print there.

/// Borrows the parent's console for standard output and error, when they go nowhere else
/// (a program whose output is redirected to a file or a pipe already has its handles). Does
/// nothing outside Windows.
pub fn attach_to_parent() {
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::Console::{
            AttachConsole, GetStdHandle, ATTACH_PARENT_PROCESS, STD_OUTPUT_HANDLE,
        };
        // SAFETY: plain Win32 calls with no pointers; a failed attach (no parent console, as
        // when started from a link) leaves the process as it was.
        unsafe {
            if GetStdHandle(STD_OUTPUT_HANDLE).is_null() {
                AttachConsole(ATTACH_PARENT_PROCESS);
            }
        }
    }
}

/// Whether what this program prints reaches anyone: a console it was started from (after
/// [`attach_to_parent`]), or a file or pipe. A launcher started from a link has neither, so it
/// leaves the telling to the window. Always true outside Windows, where a program keeps the
/// output it was given.
pub fn has_output() -> bool {
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::Console::{GetStdHandle, STD_ERROR_HANDLE};
        // SAFETY: a plain Win32 call with no pointers.
        let handle = unsafe { GetStdHandle(STD_ERROR_HANDLE) };
        !handle.is_null() && handle != windows_sys::Win32::Foundation::INVALID_HANDLE_VALUE
    }
    #[cfg(not(windows))]
    {
        true
    }
}
