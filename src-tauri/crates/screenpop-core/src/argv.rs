//! What a command line asks for, read the same way by both programs (`screenpop` and
//! `screenpop-desktop`) and by the running window when a second launch hands its arguments
//! over.

use std::ffi::OsString;

use crate::transfer::is_link;

/// What a launch asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// The window: opened, brought forward, or handed links to pop.
    Window(WindowArgs),
    /// A command (`screenpop lookup …`); the first argument names it.
    Command,
}

/// How the window is asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WindowArgs {
    /// `--demo`: the sandbox inside the app.
    pub demo: bool,
    /// `--hidden`: start in the tray (login autostart); leaves a running window as it is.
    pub hidden: bool,
    /// `screenpop://` links to pop.
    pub links: Vec<String>,
}

impl WindowArgs {
    /// The arguments (without the program) that [`classify`] reads back as these: how a launcher
    /// hands what it read on to the window program or the running window, instead of the
    /// command line it came with.
    pub fn to_args(&self) -> Vec<String> {
        if !self.links.is_empty() {
            self.links.clone()
        } else if self.demo {
            vec!["--demo".to_owned()]
        } else if self.hidden {
            vec!["--hidden".to_owned()]
        } else {
            Vec::new()
        }
    }
}

/// Reads `args` (the program first). Arguments that are not text are refused before anything
/// else: ids and links are text, and the desktop's plugins would panic on them.
pub fn classify(args: &[OsString]) -> Result<Launch, String> {
    if args.iter().skip(1).any(|a| a.to_str().is_none()) {
        return Err("an argument is not valid UTF-8 text; ids and links must be text.".to_owned());
    }
    let rest: Vec<&str> = args.iter().skip(1).filter_map(|a| a.to_str()).collect();
    match rest.as_slice() {
        [] => Ok(Launch::Window(WindowArgs::default())),
        ["--demo"] => Ok(Launch::Window(WindowArgs {
            demo: true,
            ..WindowArgs::default()
        })),
        ["--hidden"] => Ok(Launch::Window(WindowArgs {
            hidden: true,
            ..WindowArgs::default()
        })),
        [first, ..] if is_link(first) => Ok(Launch::Window(WindowArgs {
            links: rest
                .iter()
                .filter(|a| is_link(a))
                .map(|a| (*a).to_owned())
                .collect(),
            ..WindowArgs::default()
        })),
        _ => Ok(Launch::Command),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(args: &[&str]) -> Result<Launch, String> {
        let mut v = vec![OsString::from("screenpop")];
        v.extend(args.iter().map(OsString::from));
        classify(&v)
    }

    #[test]
    fn each_launch_is_read_once() {
        assert_eq!(of(&[]), Ok(Launch::Window(WindowArgs::default())));
        assert!(matches!(of(&["--demo"]), Ok(Launch::Window(w)) if w.demo && !w.hidden));
        assert!(matches!(of(&["--hidden"]), Ok(Launch::Window(w)) if w.hidden && !w.demo));
        assert!(matches!(
            of(&["Screenpop://lookup?id=1", "screenpop://lookup?id=2"]),
            Ok(Launch::Window(w)) if w.links.len() == 2
        ));
        assert_eq!(of(&["lookup", "--id", "x"]), Ok(Launch::Command));
        assert_eq!(of(&["--demo", "--hidden"]), Ok(Launch::Command));
        assert_eq!(of(&["--help"]), Ok(Launch::Command));
    }

    #[test]
    fn what_was_read_is_handed_on_as_it_reads_back() {
        for args in [
            &[][..],
            &["--demo"],
            &["--hidden"],
            &[
                "screenpop://lookup?id=1",
                "--ignored",
                "screenpop://lookup?id=2",
            ],
        ] {
            let Ok(Launch::Window(w)) = of(args) else {
                panic!("{args:?} asks for the window");
            };
            let handed = w.to_args();
            let handed: Vec<&str> = handed.iter().map(String::as_str).collect();
            assert_eq!(of(&handed), Ok(Launch::Window(w)), "{args:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn arguments_that_are_not_text_are_refused() {
        use std::os::unix::ffi::OsStringExt;
        let args = vec![
            OsString::from("screenpop"),
            OsString::from_vec(vec![0xff, 0xfe]),
        ];
        assert!(classify(&args).expect_err("not text").contains("UTF-8"));
    }
}
