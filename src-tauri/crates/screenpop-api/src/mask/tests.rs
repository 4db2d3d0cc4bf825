use proptest::prelude::*;
use serde_json::json;

use super::*;

/// A Luhn-valid number of `len` digits starting with `prefix`.
fn card(prefix: &str, len: usize) -> String {
    let mut digits: Vec<u32> = prefix.chars().filter_map(|c| c.to_digit(10)).collect();
    while digits.len() < len - 1 {
        digits.push((digits.len() as u32 * 7 + 3) % 10);
    }
    for check in 0..10 {
        let mut candidate = digits.clone();
        candidate.push(check);
        let s: String = candidate
            .iter()
            .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
            .collect();
        let as_pairs: Vec<(usize, char)> = s.char_indices().collect();
        if luhn(&as_pairs) {
            return s;
        }
    }
    unreachable!("one check digit always fits")
}

#[test]
fn known_test_cards_are_cut_to_their_last_four() {
    for (text, expect) in [
        ("4111111111111111", "•••• 1111"),
        ("4111 1111 1111 1111", "•••• 1111"),
        ("4111-1111-1111-1111", "•••• 1111"),
        (
            "card 5500 0000 0000 0004 exp 12/27",
            "card •••• 0004 exp 12/27",
        ),
        ("378282246310005", "•••• 0005"),
        ("4111 1111 1111 1111 2027", "•••• 1111 2027"),
    ] {
        assert_eq!(mask_text(text), expect, "{text}");
    }
}

#[test]
fn numbers_that_fail_the_luhn_check_are_left_alone() {
    for text in [
        "4111111111111112",
        "+44 20 7946 0958",
        "order 2026120212345678901234",
        "account 12345678",
        "0123456789012",
    ] {
        assert_eq!(mask_text(text), text);
    }
}

#[test]
fn secrets_are_replaced_whole_and_keys_are_masked_too() {
    let data = json!({
        "CVV": "123",
        "security_code": 456,
        "Card-PIN": "1234",
        "pinned": "yes",
        "pin": {"nested": "x"},
        "card_4111111111111111": "key holds it",
        "amount": 4111111111111111u64,
        "note": "paid with 4111 1111 1111 1111 yesterday",
        "phone": "+44 20 7946 0958"
    });
    let Value::Object(map) = data else {
        unreachable!()
    };
    let masked = Value::Object(mask_data(&map, CardNumbers::Masked));
    assert_eq!(
        masked,
        json!({
            "CVV": HIDDEN,
            "security_code": HIDDEN,
            "Card-PIN": HIDDEN,
            "pinned": "yes",
            "pin": HIDDEN,
            "card_•••• 1111": "key holds it",
            "amount": "•••• 1111",
            "note": "paid with •••• 1111 yesterday",
            "phone": "+44 20 7946 0958"
        })
    );
}

fn separated(number: &str, groups: &[usize], sep: char) -> String {
    let mut out = String::new();
    let mut rest = number;
    for g in groups {
        if rest.is_empty() {
            break;
        }
        let (head, tail) = rest.split_at((*g).min(rest.len()));
        if !out.is_empty() {
            out.push(sep);
        }
        out.push_str(head);
        rest = tail;
    }
    if !rest.is_empty() {
        if !out.is_empty() {
            out.push(sep);
        }
        out.push_str(rest);
    }
    out
}

/// Arbitrary JSON without digits, so a planted number's digits can only come from the number.
fn json_without_digits() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        "[a-zA-Z ,.:/_-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn a_planted_card_number_never_leaves_unmasked(
        len in 13usize..=19,
        prefix in "[2-6][0-9]{3}",
        groups in prop::collection::vec(1usize..=6, 0..5),
        sep in prop_oneof![Just(' '), Just('-')],
        around in json_without_digits(),
        before in "[a-zA-Z :]{0,6}",
        after in "[a-zA-Z :]{0,6}",
        as_key in any::<bool>(),
    ) {
        let number = card(&prefix, len);
        let planted = format!("{before}{}{after}", separated(&number, &groups, sep));
        let mut data = Map::new();
        data.insert("around".to_owned(), around);
        if as_key {
            data.insert(planted, Value::Null);
        } else {
            data.insert("planted".to_owned(), Value::String(planted));
        }
        let out = serde_json::to_string(&Value::Object(mask_data(&data, CardNumbers::Masked))).unwrap_or_default();
        let digits: String = out.chars().filter(char::is_ascii_digit).collect();
        prop_assert_eq!(&digits, &number[len - 4..], "{}", out);
    }

    #[test]
    fn digit_runs_that_fail_the_luhn_check_are_untouched(
        len in 13usize..=19,
        prefix in "[2-6][0-9]{3}",
        bump in 1u32..10,
    ) {
        let valid = card(&prefix, len);
        let last = valid.chars().last().and_then(|c| c.to_digit(10)).unwrap_or(0);
        let invalid = format!("{}{}", &valid[..len - 1], (last + bump) % 10);
        prop_assert_eq!(mask_text(&invalid), invalid.as_str());
    }
}

#[test]
fn secret_keys_are_recognised_by_their_words() {
    for key in [
        "cvv",
        "CVC2",
        "security_code",
        "SecurityCode",
        "cardPin",
        "pin_code",
        "One-Time Password",
        "user.password",
        "otp",
    ] {
        assert!(is_secret_key(key), "{key}");
    }
    for key in [
        "pinned", "shipping", "spin", "options", "postcode", "code", "security",
    ] {
        assert!(!is_secret_key(key), "{key}");
    }
}

#[test]
fn with_card_numbers_shown_secrets_are_still_hidden() {
    let data =
        json!({"card": "4111 1111 1111 1111", "cvv": "123", "note": "paid with 4111111111111111"});
    let map = data.as_object().cloned().unwrap_or_default();
    let shown = Value::Object(mask_data(&map, CardNumbers::Shown));
    assert_eq!(
        shown,
        json!({"card": "4111 1111 1111 1111", "cvv": HIDDEN, "note": "paid with 4111111111111111"})
    );
}
