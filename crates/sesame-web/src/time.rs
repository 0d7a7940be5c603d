//! Times shown in the viewer's own time zone, to the second, as the console does
//! (`2024-07-12 10:11:07`).

use chrono::{DateTime, Utc};

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
