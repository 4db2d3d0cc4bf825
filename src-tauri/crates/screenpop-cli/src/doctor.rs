//! `screenpop doctor`: can this seat pop a card? The checks are the core's (`health`); this
//! prints them for a person, or as JSON for a fleet tool, and exits with the code of the first
//! problem (0 when a pop would work).

use clap::Args;
use screenpop_core::health;
use screenpop_core::Error;
use screenpop_settings::i18n::{process_language, Catalogue};

use crate::{desk, exit, runtime};

#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// Check only this profile (default: every profile).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Print the report as JSON (schema in the README).
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: DoctorArgs) -> i32 {
    let (desk, rt) = match desk().and_then(|d| Ok((d, runtime()?))) {
        Ok(v) => v,
        Err(e) => return crate::fail(&e),
    };
    let report = rt.block_on(health::check(&desk, args.profile.as_deref()));
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                return crate::fail(&Error::Config(format!(
                    "The report cannot be written as JSON: {e}."
                )))
            }
        }
    } else {
        print!("{}", report.to_text(Catalogue::of(process_language())));
    }
    report
        .problem
        .as_ref()
        .and_then(|p| p.kind())
        .map_or(exit::OK, crate::exit_code_of)
}
