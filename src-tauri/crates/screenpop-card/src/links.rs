//! Links into the CRM: URL templates with `{{id}}`, `{{shared_id}}` and `{{data.some.path}}`
//! placeholders. Each value is percent-encoded into the URL, so caller data can add to a path or
//! a query but never change where the link goes: the scheme and host are the template's own,
//! and only `https` (or `http` to this computer) is ever a link.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};
use url::Url;

use super::path::Step;

/// Everything but RFC 3986's unreserved characters is encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A parsed URL template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Id,
    SharedId,
    Data(Vec<String>),
}

/// What a template's placeholders are filled from.
pub(crate) struct Values<'a> {
    pub(crate) id: Option<&'a str>,
    pub(crate) shared_id: Option<&'a str>,
    pub(crate) data: &'a Map<String, Value>,
    /// Values that may not leave the card this way (sensitive fields).
    pub(crate) withheld: &'a dyn Fn(&[Step]) -> bool,
}

impl Template {
    /// Reads a template; refuses one that could open anything but an `https` (or loopback
    /// `http`) page, or whose host comes from a placeholder.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let after = &rest[open + 2..];
            let close = after
                .find("}}")
                .ok_or_else(|| "a `{{` has no matching `}}`".to_owned())?;
            parts.push(placeholder(after[..close].trim())?);
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        let template = Self { parts };
        let head = match template.parts.first() {
            Some(Part::Literal(head)) => head.as_str(),
            _ => "",
        };
        let fixed_host = head
            .split_once("://")
            .is_some_and(|(_, after)| after.contains(['/', '?', '#']))
            || template.parts.iter().all(|p| matches!(p, Part::Literal(_)));
        if !fixed_host {
            return Err(
                "the scheme and host must be written out before any placeholder \
                 (e.g. `https://crm.example.com/{{id}}`)"
                    .to_owned(),
            );
        }
        let sample: String = template
            .parts
            .iter()
            .map(|p| match p {
                Part::Literal(s) => s.as_str(),
                _ => "x",
            })
            .collect();
        match Url::parse(&sample) {
            Ok(url) if allowed(&url) => Ok(template),
            _ => Err(format!(
                "`{text}` is not a link that may be opened: only https links (and http to \
                 this computer) are"
            )),
        }
    }

    /// The link for these values, or `None` when a placeholder has no value.
    pub(crate) fn resolve(&self, values: &Values<'_>) -> Option<Url> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Id => out.extend(encode(values.id?)),
                Part::SharedId => out.extend(encode(values.shared_id?)),
                Part::Data(keys) => out.extend(encode(&data_text(values, keys)?)),
            }
        }
        Url::parse(&out).ok().filter(allowed)
    }
}

fn placeholder(name: &str) -> Result<Part, String> {
    match name {
        "id" => Ok(Part::Id),
        "shared_id" => Ok(Part::SharedId),
        _ => match name.strip_prefix("data.") {
            Some(path) if !path.is_empty() && path.split('.').all(|k| !k.is_empty()) => {
                Ok(Part::Data(path.split('.').map(str::to_owned).collect()))
            }
            _ => Err(format!(
                "`{{{{{name}}}}}` is not a placeholder; use {{{{id}}}}, {{{{shared_id}}}} or \
                 {{{{data.some.path}}}}"
            )),
        },
    }
}

fn encode(text: &str) -> impl Iterator<Item = &str> {
    // An empty value would make a link to the wrong record (a listing, say): no link instead.
    let text = if text.trim().is_empty() {
        None
    } else {
        Some(text.trim())
    };
    text.into_iter()
        .flat_map(|t| utf8_percent_encode(t, COMPONENT))
}

/// The text of the scalar at `keys` in data (list items by 1-based position).
fn data_text(values: &Values<'_>, keys: &[String]) -> Option<String> {
    let mut place = Vec::with_capacity(keys.len());
    let mut at: Option<&Value> = None;
    for key in keys {
        let next = match at {
            None => values.data.get(key),
            Some(Value::Object(map)) => map.get(key),
            Some(Value::Array(items)) => {
                let n: usize = key.parse().ok()?;
                place.push(Step::Item(n.checked_sub(1)?));
                at = Some(items.get(n - 1)?);
                continue;
            }
            Some(_) => None,
        }?;
        place.push(Step::Key(key.clone()));
        at = Some(next);
    }
    if (values.withheld)(&place) {
        return None;
    }
    match at? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Only `https`, or `http` to this computer, with a host and no credentials.
fn allowed(url: &Url) -> bool {
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && (url.scheme() == "https" || (url.scheme() == "http" && loopback))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resolve(template: &str, data: Value) -> Option<String> {
        let t = Template::parse(template).expect("template");
        let data = data.as_object().cloned().unwrap_or_default();
        t.resolve(&Values {
            id: Some("conv 1/2"),
            shared_id: None,
            data: &data,
            withheld: &|place: &[Step]| place == [Step::Key("dob".to_owned())],
        })
        .map(String::from)
    }

    #[test]
    fn values_are_encoded_and_cannot_move_the_link() {
        assert_eq!(
            resolve(
                "https://crm.example.com/c/{{data.customer.id}}?conv={{id}}",
                json!({"customer": {"id": "A/../../admin?x=1#y & z"}})
            )
            .as_deref(),
            Some("https://crm.example.com/c/A%2F..%2F..%2Fadmin%3Fx%3D1%23y%20%26%20z?conv=conv%201%2F2")
        );
        assert_eq!(
            resolve(
                "https://crm.example.com/{{data.orders.2.ref}}",
                json!({"orders": [{"ref": "a"}, {"ref": "é"}]})
            )
            .as_deref(),
            Some("https://crm.example.com/%C3%A9")
        );
        assert_eq!(
            resolve("http://127.0.0.1:8080/{{data.n}}", json!({"n": 42})).as_deref(),
            Some("http://127.0.0.1:8080/42")
        );
    }

    #[test]
    fn a_link_with_a_missing_value_is_not_made() {
        for data in [
            json!({}),
            json!({"acct": ""}),
            json!({"acct": null}),
            json!({"acct": {"x": 1}}),
        ] {
            assert_eq!(resolve("https://crm.example.com/{{data.acct}}", data), None);
        }
        assert_eq!(
            resolve("https://crm.example.com/{{shared_id}}", json!({})),
            None
        );
        assert_eq!(
            resolve(
                "https://crm.example.com/{{data.dob}}",
                json!({"dob": "1980-01-01"})
            ),
            None,
            "a sensitive value never goes into a link"
        );
    }

    #[test]
    fn only_safe_templates_are_read() {
        for bad in [
            "javascript:alert(1)",
            "ftp://crm.example.com/{{id}}",
            "http://crm.example.com/{{id}}",
            "https://{{data.host}}/x",
            "https://crm.example.com{{id}}",
            "{{data.url}}",
            "https://user:pw@crm.example.com/{{id}}",
            "https://crm.example.com/{{nope}}",
            "https://crm.example.com/{{data.}}",
            "https://crm.example.com/{{id",
            "file:///etc/passwd",
        ] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
        for good in [
            "https://crm.example.com/",
            "https://crm.example.com/{{id}}",
            "http://localhost:3000/?q={{shared_id}}",
            "https://crm.example.com/search#{{ data.a.b }}",
        ] {
            assert!(Template::parse(good).is_ok(), "{good}");
        }
    }
}
