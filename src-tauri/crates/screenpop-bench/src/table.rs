//! The printed table.

/// One line of the table.
pub(crate) struct Row {
    /// What was measured.
    pub(crate) measure: String,
    /// screenpop's figure.
    pub(crate) screenpop: String,
    /// The baseline's figure, measured in the same run.
    pub(crate) baseline: String,
    /// The comparison.
    pub(crate) result: String,
    /// The target.
    pub(crate) target: String,
    /// Whether the target is met (`None`: not measured).
    pub(crate) met: Option<bool>,
}

/// The rows as a Markdown table.
pub(crate) fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| Measure | screenpop | Baseline (same run) | Result | Target | Met |\n|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let met = match r.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "—",
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.measure, r.screenpop, r.baseline, r.result, r.target, met
        ));
    }
    out
}
