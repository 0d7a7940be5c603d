//! Any pair of `MC-Api-Key` / `Authorization` header values: reading the key never panics,
//! and what comes back is trimmed text taken from the headers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame_core::{credentials::presented_key, key::ApiKeySecret};

fuzz_target!(|input: (Option<Vec<u8>>, Option<Vec<u8>>)| {
    let (mc_api_key, authorization) = input;
    if let Some(key) = presented_key(mc_api_key.as_deref(), authorization.as_deref()) {
        assert_eq!(key, key.trim());
        let source = mc_api_key.as_deref().or(authorization.as_deref()).unwrap_or_default();
        let source = std::str::from_utf8(source).expect("only text is read");
        assert!(source.contains(key));
        let _ = ApiKeySecret::parse(key);
    }
});
