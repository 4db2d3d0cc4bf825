//! The README's examples, for the tests that prove the README shows what the program does.
#![allow(dead_code)]

use std::path::Path;

/// The code block after `<!-- example: NAME -->` in the README.
pub(crate) fn example(name: &str) -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let marker = format!("<!-- example: {name} -->");
    let after = &readme[readme.find(&marker).expect(&marker) + marker.len()..];
    let body = &after[after.find("```").expect("a code block") + 3..];
    let body = &body[body.find('\n').expect("fence line") + 1..];
    body[..body.find("```").expect("closing fence")].to_owned()
}

/// The README's layout example as a policy whose managed profile looks up in the API at
/// `base_url` (the sandbox) instead of PolyAI's.
pub(crate) fn layout_policy(base_url: &str) -> String {
    example("layout").replace(
        "studio_url = \"https://studio.uk.poly.ai/acme-uk/acme-team-4/agent\"",
        &format!("base_url = \"{base_url}\"\naccount = \"acct\"\nproject = \"proj\""),
    )
}
