//! Where a request carries its API key: `MC-Api-Key: <key>`, or `Authorization: Bearer
//! <key>`. Pure functions over the raw header bytes, so they are unit-tested and fuzzed
//! without a server.

/// A header value as HTTP allows it to be read as text: visible ASCII, spaces and tabs.
fn header_text(value: &[u8]) -> Option<&str> {
    value
        .iter()
        .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
        .then(|| std::str::from_utf8(value).ok())
        .flatten()
}

/// The key presented by a request, from its `MC-Api-Key` and `Authorization` headers (the
/// first wins when both are there). `None` when there is none, or it is not readable text.
/// What comes back is trimmed; whether it is a well-formed key is for `ApiKeySecret::parse`.
pub fn presented_key<'a>(mc_api_key: Option<&'a [u8]>, authorization: Option<&'a [u8]>) -> Option<&'a str> {
    if let Some(value) = mc_api_key {
        return header_text(value).map(str::trim);
    }
    let authorization = header_text(authorization?)?;
    let (scheme, token) = authorization.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_headers_are_read() {
        assert_eq!(presented_key(Some(b" sesame_abc "), None), Some("sesame_abc"));
        assert_eq!(presented_key(None, Some(b"Bearer sesame_abc")), Some("sesame_abc"));
        assert_eq!(presented_key(None, Some(b"bearer   sesame_abc ")), Some("sesame_abc"));
        assert_eq!(presented_key(Some(b"first"), Some(b"Bearer second")), Some("first"));
    }

    #[test]
    fn anything_else_is_no_key() {
        assert_eq!(presented_key(None, None), None);
        assert_eq!(presented_key(None, Some(b"Basic dXNlcjpwYXNz")), None);
        assert_eq!(presented_key(None, Some(b"Bearer")), None);
        assert_eq!(presented_key(Some(b"caf\xc3\xa9"), None), None);
        assert_eq!(presented_key(Some(b"a\nb"), None), None);
    }
}
