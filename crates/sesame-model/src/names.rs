//! The one rule for names people read — API keys, full names, organizations — and the
//! random default key name. The browser checks a name with the same code before sending,
//! without Unicode's tables (see the `unicode` feature): the server has the last word.

use serde::{Deserialize, Serialize};

pub const MAX_NAME_CHARS: usize = 100;
/// The most characters a name may be given with, spaces around included: a name is
/// trimmed, but not without bound.
pub const MAX_NAME_INPUT_CHARS: usize = 256;
#[cfg(feature = "random")]
const DEFAULT_PREFIX: &str = "api_key_";
#[cfg(feature = "random")]
const DEFAULT_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Why a key name was refused. Serializable so the browser can show its own translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    #[error("the name is longer than 100 characters")]
    TooLong,
    #[error("the name contains control characters")]
    ControlCharacter,
    /// Zero-width or text-direction characters: they make one name look like another.
    #[error("the name contains invisible or text-direction characters")]
    InvisibleCharacter,
}

/// Characters that are invisible, change the direction of the text around them, or mean
/// nothing yet: a name holding one can pass for another (`invoice\u{202E}fdp.exe` shows as
/// `invoiceexe.pdf`, `dep\u{034F}loy` as `deploy`). Unicode's own properties say which:
/// Default_Ignorable_Code_Point (zero-width characters and joiners, variation selectors,
/// tags, fillers, the soft hyphen…), and the general categories Format (bidirectional
/// controls among them), Private Use, Surrogate and Unassigned.
#[cfg(feature = "unicode")]
fn is_invisible(c: char) -> bool {
    use icu_properties::{
        props::{DefaultIgnorableCodePoint, GeneralCategory},
        CodePointMapData, CodePointSetData,
    };
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
        || matches!(
            CodePointMapData::<GeneralCategory>::new().get(c),
            GeneralCategory::Format | GeneralCategory::PrivateUse | GeneralCategory::Surrogate | GeneralCategory::Unassigned
        )
}

/// Whether a name may not hold `c` at all: a control character, or an invisible one (the
/// rule [`check_display_text`] applies; the OpenAPI document's patterns are built from it).
pub fn is_refused_in_names(c: char) -> bool {
    c.is_control() || is_invisible(c)
}

/// Without Unicode's tables (the browser) nothing is known invisible: the server decides.
#[cfg(not(feature = "unicode"))]
fn is_invisible(_: char) -> bool {
    false
}

/// `text` in Unicode's composed form (NFC), so that a name typed with a combining accent and
/// the same name with the accented letter are one name. Unchanged without the tables.
pub fn nfc(text: &str) -> std::borrow::Cow<'_, str> {
    #[cfg(feature = "unicode")]
    return icu_normalizer::ComposingNormalizerBorrowed::new_nfc().normalize(text);
    #[cfg(not(feature = "unicode"))]
    std::borrow::Cow::Borrowed(text)
}

/// The rule for any name people read (keys, full names, organizations), once trimmed:
/// 1 to [`MAX_NAME_CHARS`] characters, no control and no invisible characters.
pub fn check_display_text(text: &str) -> Result<(), NameError> {
    if text.is_empty() {
        return Err(NameError::Empty);
    }
    // Count characters, not bytes: "é" is one character to the person typing it.
    // `nth` stops early, so a 1 MB name costs no more than a 101-character one.
    if text.chars().nth(MAX_NAME_CHARS).is_some() {
        return Err(NameError::TooLong);
    }
    if text.chars().any(char::is_control) {
        return Err(NameError::ControlCharacter);
    }
    if text.chars().any(is_invisible) {
        return Err(NameError::InvisibleCharacter);
    }
    Ok(())
}

fn check_input_length(raw: &str) -> Result<(), NameError> {
    // `nth` stops early, so a 1 MB paste costs no more than a 257-character one.
    match raw.chars().nth(MAX_NAME_INPUT_CHARS) {
        Some(_) => Err(NameError::TooLong),
        None => Ok(()),
    }
}

/// A validated key name: trimmed, in NFC, 1 to 100 characters, no control or invisible
/// characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyName(String);

impl KeyName {
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        check_input_length(raw)?;
        let name = nfc(raw.trim()).into_owned();
        check_display_text(&name)?;
        Ok(Self(name))
    }

    /// `api_key_` and 8 random lowercase letters or digits, as the real console does.
    #[cfg(feature = "random")]
    pub fn random_default() -> Self {
        Self(format!("{DEFAULT_PREFIX}{}", crate::random::text(DEFAULT_ALPHABET, 8)))
    }

    /// The given name, or a random default when it is absent or blank.
    #[cfg(feature = "random")]
    pub fn parse_or_default(raw: Option<&str>) -> Result<Self, NameError> {
        raw.map(check_input_length).transpose()?;
        match raw {
            Some(text) if !text.trim().is_empty() => Self::parse(text),
            _ => Ok(Self::random_default()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What uniqueness is checked on: names differing only in case clash.
    pub fn uniqueness_key(&self) -> String {
        self.0.to_lowercase()
    }
}

#[cfg(all(test, feature = "random"))]
mod default_name_tests {
    use super::*;

    fn is_default_name(name: &str) -> bool {
        name.len() == 16
            && name.starts_with("api_key_")
            && name[8..].bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    }

    #[test]
    fn default_name_follows_the_console_pattern() {
        for _ in 0..100 {
            assert!(is_default_name(KeyName::random_default().as_str()));
        }
    }

    #[test]
    fn absent_or_blank_name_gets_the_default() {
        assert!(is_default_name(KeyName::parse_or_default(None).unwrap().as_str()));
        assert!(is_default_name(KeyName::parse_or_default(Some("  ")).unwrap().as_str()));
        assert_eq!(KeyName::parse_or_default(Some(" CI ")).unwrap().as_str(), "CI");
        assert_eq!(KeyName::parse_or_default(Some(&" ".repeat(300))), Err(NameError::TooLong));
    }

}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded_in_characters() {
        assert_eq!(KeyName::parse("  deploy bot ").unwrap().as_str(), "deploy bot");
        assert_eq!(KeyName::parse(""), Err(NameError::Empty));
        assert_eq!(KeyName::parse(" \t "), Err(NameError::Empty));
        assert!(KeyName::parse(&"é".repeat(100)).is_ok());
        assert_eq!(KeyName::parse(&"a".repeat(101)), Err(NameError::TooLong));
        assert_eq!(KeyName::parse(&"a".repeat(1 << 20)), Err(NameError::TooLong));
        // Spaces around are dropped, within the input bound.
        assert_eq!(KeyName::parse(&format!("{}ci{}", " ".repeat(100), " ".repeat(100))).unwrap().as_str(), "ci");
        assert_eq!(KeyName::parse(&format!("{}ci", " ".repeat(300))), Err(NameError::TooLong));
    }

    #[test]
    fn control_characters_are_refused() {
        for bad in ["a\u{0}b", "a\nb", "a\u{7f}b", "a\u{1b}[31mb", "tab\there"] {
            assert_eq!(KeyName::parse(bad), Err(NameError::ControlCharacter), "{bad:?}");
        }
    }

    #[cfg(feature = "unicode")]
    #[test]
    fn invisible_direction_and_unassigned_characters_are_refused() {
        for bad in [
            "invoice\u{202E}fdp.exe",
            "dep\u{200B}loy",
            "\u{FEFF}ci",
            "a\u{2066}b\u{2069}",
            "x\u{200D}y",
            "a\u{061C}b",
            // Combining grapheme joiner, soft hyphen, variation selector 16, tag letter A,
            // Hangul filler: invisible too (Default_Ignorable_Code_Point).
            "dep\u{034F}loy",
            "dep\u{00AD}loy",
            "ci\u{FE0F}",
            "ci\u{E0041}",
            "\u{3164}ci",
            // Private use, and a code point Unicode has not assigned.
            "ci\u{E000}",
            "ci\u{0378}",
        ] {
            assert_eq!(KeyName::parse(bad), Err(NameError::InvisibleCharacter), "{bad:?}");
        }
        // Visible non-ASCII text is fine.
        assert!(KeyName::parse("clé de déploiement ✓").is_ok());
        assert!(KeyName::parse("部署キー 🚀").is_ok());
    }

    #[cfg(feature = "unicode")]
    #[test]
    fn names_are_compared_in_their_composed_form() {
        let decomposed = KeyName::parse("cle\u{0301}").unwrap();
        assert_eq!(decomposed.as_str(), "clé");
        assert_eq!(decomposed.uniqueness_key(), KeyName::parse("CLÉ").unwrap().uniqueness_key());
    }

    #[test]
    fn markup_is_just_text_here() {
        // Escaping is the view's job; the name itself is kept as typed.
        assert_eq!(KeyName::parse("<script>x</script>").unwrap().as_str(), "<script>x</script>");
    }

    #[test]
    fn uniqueness_ignores_case() {
        assert_eq!(
            KeyName::parse("Deploy").unwrap().uniqueness_key(),
            KeyName::parse("dEPLOY").unwrap().uniqueness_key()
        );
    }
}
