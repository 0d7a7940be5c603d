//! Any text presented as a key: parsing never panics, and whatever it accepts has the
//! documented shape and survives a round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame_core::key::ApiKeySecret;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(secret) = ApiKeySecret::parse(text) {
        let exposed = secret.expose();
        assert!(exposed.starts_with("sesame_") && exposed.len() == 56);
        assert!(exposed["sesame_".len()..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(ApiKeySecret::parse(exposed).expect("round trip").hash(), secret.hash());
        assert!(!format!("{secret:?}").contains(exposed));
    }
});
