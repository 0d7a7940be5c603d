//! Regular expressions for the OpenAPI document that say exactly what the server accepts,
//! so that tools generating "valid" input (schemathesis) and the server agree. Written so
//! that ECMAScript and Python read them the same: the end is `(?![\s\S])`, not `$` (which
//! Python lets match before a final line break), and "space" is Rust's `char::is_whitespace`
//! set spelled out (what `str::trim` removes), not `\s`. What a name may not hold is built
//! from the rule itself (`sesame_model::names::is_refused_in_names`: control characters and
//! Unicode's invisible, format, private-use, surrogate and unassigned code points), once —
//! for the Basic Multilingual Plane only: the tools that read the document (Spectral among
//! them) compile patterns without ECMAScript's Unicode mode, where a class cannot name a
//! code point above U+FFFF. The names' descriptions say that such code points are refused
//! too (tags, variation selectors, private use and unassigned code points of the other
//! planes), and `scripts/schemathesis_hooks.py` keeps them out of the names schemathesis
//! sends as valid.

use std::sync::LazyLock;

use utoipa::openapi::{OpenApi, RefOr, Schema};

/// What `str::trim` removes, as a class body.
const SPACE: &str = r"\t\n\u000B\u000C\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// The code points of the Basic Multilingual Plane a name may not hold, as a class body of
/// `\uXXXX` ranges, each once. Not the surrogates (no `char` is one): ECMAScript without
/// Unicode mode reads a character above U+FFFF as two of them, and regex engines that work
/// on code points (Rust's, which schemathesis' checks use) refuse to name them.
static REFUSED: LazyLock<String> = LazyLock::new(|| class_of(sesame_core::names::is_refused_in_names));

/// The same, but line breaks: what a text of several lines may not hold.
static REFUSED_BUT_LINE_BREAKS: LazyLock<String> =
    LazyLock::new(|| class_of(|c| c != '\n' && c != '\r' && sesame_core::names::is_refused_in_names(c)));

/// The code points of the Basic Multilingual Plane `refused` holds, as a class body.
fn class_of(refused: fn(char) -> bool) -> String {
    let mut class = String::new();
    let mut start: Option<char> = None;
    let mut previous = '\0';
    let push = |class: &mut String, first: char, last: char| {
        class.push_str(&escaped(first));
        if last != first {
            class.push('-');
            class.push_str(&escaped(last));
        }
    };
    for c in (0..=0xFFFF_u32).filter_map(char::from_u32) {
        match (refused(c), start) {
            (true, None) => start = Some(c),
            (true, Some(_)) if u32::from(c) == u32::from(previous) + 1 => {}
            (true, Some(first)) => {
                push(&mut class, first, previous);
                start = Some(c);
            }
            (false, Some(first)) => {
                push(&mut class, first, previous);
                start = None;
            }
            (false, None) => {}
        }
        previous = c;
    }
    if let Some(first) = start {
        push(&mut class, first, previous);
    }
    class
}

fn escaped(c: char) -> String {
    format!("\\u{:04X}", u32::from(c))
}

/// A key name for creation: blank (a default name is chosen) or, once trimmed, 1 to 100
/// characters without control or invisible characters.
fn new_key_name() -> String {
    let refused = &*REFUSED;
    format!("^[{SPACE}]*(?:[^{refused}{SPACE}][^{refused}]{{0,99}})?[{SPACE}]*(?![\\s\\S])")
}

/// A key name: once trimmed, 1 to 100 characters without control or invisible characters.
fn key_name() -> String {
    let refused = &*REFUSED;
    format!("^[{SPACE}]*[^{refused}{SPACE}][^{refused}]{{0,99}}[{SPACE}]*(?![\\s\\S])")
}

/// A full name as sent (the REST API does not trim it): 1 to 100 characters, no control or
/// invisible characters, no spaces around.
fn full_name() -> String {
    let refused = &*REFUSED;
    format!("^[^{refused}{SPACE}](?:[^{refused}]{{0,98}}[^{refused}{SPACE}])?(?![\\s\\S])")
}

/// A username: 1 to 64 letters, digits, `.`, `_` or `-`.
fn username() -> String {
    r"^[A-Za-z0-9._-]{1,64}(?![\s\S])".to_owned()
}

/// A service account's description: at most 500 characters, without control or invisible
/// characters but line breaks.
fn description() -> String {
    format!("^[^{}]{{0,500}}(?![\\s\\S])", &*REFUSED_BUT_LINE_BREAKS)
}

/// An allow-list entry: an IPv4 or IPv6 address, or a CIDR range, as
/// `sesame_model::AllowedAddresses::parse` takes it (octets and prefix lengths without
/// leading zeros; IPv6 in its usual forms, with an IPv4 tail after `::`, `::ffff:` or up to
/// four groups). Generated from a readable form in a script once and checked then on 3,000
/// samples that the server took them all.
pub const ALLOWED_ADDRESS: &str = r"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])){3}(?:/(?:3[0-2]|[12][0-9]|[0-9]))?|(?:(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|(?:[0-9a-fA-F]{1,4}:){1,7}:|(?:[0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|(?:[0-9a-fA-F]{1,4}:){1,5}(?::[0-9a-fA-F]{1,4}){1,2}|(?:[0-9a-fA-F]{1,4}:){1,4}(?::[0-9a-fA-F]{1,4}){1,3}|(?:[0-9a-fA-F]{1,4}:){1,3}(?::[0-9a-fA-F]{1,4}){1,4}|(?:[0-9a-fA-F]{1,4}:){1,2}(?::[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:(?::[0-9a-fA-F]{1,4}){1,6}|:(?:(?::[0-9a-fA-F]{1,4}){1,7}|:)|::(?:[fF]{4}(?::0{1,4})?:)?(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){1,4}:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])){3})(?:/(?:12[0-8]|1[01][0-9]|[1-9][0-9]|[0-9]))?)(?![\s\S])";

/// A pattern's place in the document: (schema, property, the pattern).
type Place = (&'static str, &'static str, fn() -> String);

/// Where each pattern goes.
const PLACES: [Place; 8] = [
    ("CreateApiKeyRequest", "name", new_key_name),
    ("UpdateApiKeyRequest", "name", key_name),
    ("CreateUserRequest", "fullName", full_name),
    ("CreateUserRequest", "username", username),
    ("CreateServiceAccountRequest", "name", username),
    ("UpdateServiceAccountRequest", "name", username),
    ("CreateServiceAccountRequest", "description", description),
    ("UpdateServiceAccountRequest", "description", description),
];

/// Lists whose entries the server refuses to see twice: (schema, property). The derive has
/// no attribute for `uniqueItems`.
const UNIQUE_LISTS: [(&str, &str); 3] =
    [("CreateApiKeyRequest", "scopes"), ("UpdateApiKeyRequest", "scopes"), ("ApiKeyBody", "scopes")];

/// Puts the patterns into the document (the derive takes only string literals, and these
/// are better kept readable here, once), and marks the lists whose entries are unique.
pub fn apply(openapi: &mut OpenApi) {
    let Some(components) = openapi.components.as_mut() else { return };
    for (schema, property) in UNIQUE_LISTS {
        let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) else {
            panic!("no schema {schema} for a unique list");
        };
        let list = list_in(object, schema, property);
        list.unique_items = true;
    }
    for (schema, property, pattern) in PLACES {
        let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) else {
            panic!("no schema {schema} for a pattern");
        };
        match object.properties.get_mut(property) {
            Some(RefOr::T(Schema::Object(field))) => field.pattern = Some(pattern()),
            _ => panic!("no property {schema}.{property} for a pattern"),
        }
    }
    // Every allow-list entry, in requests and answers alike.
    match components.schemas.get_mut("AllowedAddress") {
        Some(RefOr::T(Schema::Object(entry))) => entry.pattern = Some(ALLOWED_ADDRESS.to_owned()),
        _ => panic!("no schema AllowedAddress for its pattern"),
    }
}

/// The list `schema.property`, nullable or not.
fn list_in<'a>(object: &'a mut utoipa::openapi::schema::Object, schema: &str, property: &str) -> &'a mut utoipa::openapi::schema::Array {
    match object.properties.get_mut(property) {
        Some(RefOr::T(Schema::Array(array))) => array,
        Some(RefOr::T(Schema::OneOf(one_of))) => one_of
            .items
            .iter_mut()
            .find_map(|item| match item {
                RefOr::T(Schema::Array(array)) => Some(array),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{schema}.{property} is not a list")),
        _ => panic!("no list {schema}.{property}"),
    }
}
