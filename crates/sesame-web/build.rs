//! Generates the `i18n` module from `locales/en.json` and `locales/fr.json`; a key missing
//! from one of them fails the build.

use std::{error::Error, path::PathBuf};

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("no OUT_DIR")?).join("i18n");
    // `interpolate_display` lets `t_string!` fill `{{ name }}` for attributes (aria-label).
    let options = ParseOptions::new().interpolate_display(true);
    let config = Config::new("en")?.add_locale("fr")?.parse_options(options);
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out)?;
    Ok(())
}
