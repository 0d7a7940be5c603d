//! Times shown in the viewer's own time zone, to the second, as the console does
//! (`2024-07-12 10:11:07`).

use chrono::{DateTime, Datelike, Utc};

pub fn local_timestamp(time: DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(time.timestamp_millis() as f64));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    )
}

/// The hour a usage bucket starts at, in the viewer's time zone (`16:00`).
pub fn local_hour(time: DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(time.timestamp_millis() as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// The day a usage bucket covers: days are counted in UTC (`11-29`).
pub fn utc_day(time: DateTime<Utc>) -> String {
    // Not `format`: its pattern parser weighs on the app's download.
    format!("{:02}-{:02}", time.month(), time.day())
}
