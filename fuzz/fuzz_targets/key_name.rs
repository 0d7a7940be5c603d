//! Any text as a key name: validation never panics, and an accepted name is trimmed, 1 to
//! 100 characters, without control or invisible characters (bidi overrides, zero widths).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame_core::names::{is_refused_in_names, KeyName};

fuzz_target!(|text: &str| {
    for name in [KeyName::parse(text).ok(), KeyName::parse_or_default(Some(text)).ok()].into_iter().flatten() {
        let name = name.as_str();
        assert_eq!(name, name.trim());
        assert!((1..=100).contains(&name.chars().count()));
        assert!(!name.chars().any(is_refused_in_names));
    }
});
