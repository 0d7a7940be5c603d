//! Generates the `i18n` module from the console's part of the shared catalogue
//! (`locales/<language>.json` at the repository root, whose `api_docs` part the server's
//! docs page reads). leptos_i18n reads one file per language: the console's part is written
//! to OUT_DIR for it.

use std::{error::Error, fs, path::PathBuf};

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

const LANGUAGES: [&str; 3] = ["en", "fr", "es"];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let catalogue = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../../locales");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("no OUT_DIR")?);
    let console_locales = out.join("locales");
    fs::create_dir_all(&console_locales)?;
    for language in LANGUAGES {
        let source = catalogue.join(format!("{language}.json"));
        println!("cargo::rerun-if-changed={}", source.display());
        let whole: serde_json::Value = serde_json::from_str(&fs::read_to_string(&source)?)?;
        let console = whole.get("console").ok_or_else(|| format!("{} has no \"console\" part", source.display()))?;
        fs::write(console_locales.join(format!("{language}.json")), serde_json::to_string_pretty(console)?)?;
    }
    // `interpolate_display` lets `t_string!` fill `{{ name }}` for attributes (aria-label).
    let options = ParseOptions::new().interpolate_display(true);
    let config = Config::new(LANGUAGES[0])?.add_locales(&LANGUAGES[1..])?.locales_path(console_locales).parse_options(options);
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.generate_i18n_module(out.join("i18n"))?;
    Ok(())
}
