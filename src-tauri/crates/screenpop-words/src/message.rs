//! A sentence not yet worded: a catalogue key and its facts. What refuses an agent's input
//! returns one, so the edge that shows it (the window, the command line) says it in the
//! agent's language, with their own input in it verbatim; its `Display` is the English, for the
//! log and for scripts.

use std::fmt;

use super::{Catalogue, Language};

/// One fact of a [`Message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Text put in as it is: what the agent typed, a number, a host.
    Text(String),
    /// The name of a thing, itself a catalogue key (`form.account`), worded in the
    /// same language.
    Word(&'static str),
}

/// A catalogue message with its facts, worded when it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    key: &'static str,
    args: Vec<(&'static str, Arg)>,
    hint: Option<&'static str>,
}

impl Message {
    /// The message `key`, with no facts yet.
    pub fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
            hint: None,
        }
    }

    /// With the fact `name` as text (shown verbatim).
    pub fn with(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.args.push((name, Arg::Text(value.to_string())));
        self
    }

    /// With the fact `name` as the thing the catalogue key `word` names.
    pub fn with_word(mut self, name: &'static str, word: &'static str) -> Self {
        self.args.push((name, Arg::Word(word)));
        self
    }

    /// Followed by the message `hint` (what to do), said after it.
    pub fn with_hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Its catalogue key.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// Its facts, by name.
    pub fn args(&self) -> &[(&'static str, Arg)] {
        &self.args
    }

    /// The message said after it, if any.
    pub fn hint(&self) -> Option<&'static str> {
        self.hint
    }

    /// Several messages in `words`' language, one after the other.
    pub fn say_all(messages: &[Message], words: &Catalogue) -> String {
        let said: Vec<String> = messages.iter().map(|m| m.say(words)).collect();
        said.join(" ")
    }

    /// The message in `words`' language.
    pub fn say(&self, words: &Catalogue) -> String {
        let args: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(name, arg)| {
                let value = match arg {
                    Arg::Text(text) => text.clone(),
                    Arg::Word(key) => words.text(key).to_owned(),
                };
                (*name, value)
            })
            .collect();
        let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let said = words.say(self.key, &args);
        match self.hint {
            Some(hint) => format!("{said} {}", words.say(hint, &args)),
            None => said,
        }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.say(Catalogue::of(Language::En)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_verbatim_and_names_are_worded_in_the_language() {
        let m = Message::new("refusal.id_bad_char")
            .with_word("what", "form.account")
            .with("char", "'/'");
        assert_eq!(m.key(), "refusal.id_bad_char");
        let english = m.to_string();
        assert!(
            english.contains("Account id") && english.contains("'/'"),
            "{english}"
        );
        let german = m.say(Catalogue::of(Language::De));
        assert!(
            german.contains("Konto-ID") && german.contains("'/'"),
            "{german}"
        );
    }
}
