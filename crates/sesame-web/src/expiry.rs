//! A key's expiry in the console: the choices offered when generating one, and how a
//! listed key's expiry reads. The server decides by its own clock; the browser's is only
//! used to phrase "in N days".

use chrono::{DateTime, TimeDelta, Utc};
use leptos::prelude::*;

/// What the expiry menu offers: never (the default), a number of days, or a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryChoice {
    Never,
    Days(i64),
    Date,
}

impl ExpiryChoice {
    /// The menu, in order: the presets GitHub and GitLab users know.
    pub const MENU: [ExpiryChoice; 7] = [
        ExpiryChoice::Never,
        ExpiryChoice::Days(7),
        ExpiryChoice::Days(30),
        ExpiryChoice::Days(60),
        ExpiryChoice::Days(90),
        ExpiryChoice::Days(365),
        ExpiryChoice::Date,
    ];

    /// The menu under the organization's maximum lifetime in days (none: no maximum): no
    /// "never", no preset beyond the maximum, and the maximum itself (the default there).
    pub fn menu(max_days: Option<u32>) -> Vec<ExpiryChoice> {
        let Some(max) = max_days.map(i64::from) else { return Self::MENU.to_vec() };
        let mut menu: Vec<ExpiryChoice> = Self::MENU
            .into_iter()
            .filter(|choice| match choice {
                ExpiryChoice::Never => false,
                ExpiryChoice::Days(days) => *days <= max,
                ExpiryChoice::Date => true,
            })
            .collect();
        if !menu.contains(&ExpiryChoice::Days(max)) {
            // Before "Custom date…", which stays last.
            menu.insert(menu.len() - 1, ExpiryChoice::Days(max));
        }
        menu
    }

    /// What the menu starts on: never, or under a maximum, the maximum.
    pub fn default_for(max_days: Option<u32>) -> Self {
        max_days.map_or(ExpiryChoice::Never, |days| ExpiryChoice::Days(i64::from(days)))
    }

    /// The `<option>` value.
    pub fn value(self) -> String {
        match self {
            ExpiryChoice::Never => "never".to_owned(),
            ExpiryChoice::Days(days) => days.to_string(),
            ExpiryChoice::Date => "date".to_owned(),
        }
    }

    pub fn from_value(value: &str) -> Self {
        match value {
            "date" => ExpiryChoice::Date,
            days => days.parse().map_or(ExpiryChoice::Never, ExpiryChoice::Days),
        }
    }

    /// When a key made now with this choice expires. A chosen date (`YYYY-MM-DD` from the
    /// date picker) means "works through that whole day", in the browser's time zone: it
    /// expires at 23:59:59 that day. `Err` when the date is missing or not in the future.
    pub fn expires_at(self, now: DateTime<Utc>, date: &str) -> Result<Option<DateTime<Utc>>, ()> {
        match self {
            ExpiryChoice::Never => Ok(None),
            ExpiryChoice::Days(days) => Ok(Some(now + TimeDelta::days(days))),
            ExpiryChoice::Date => {
                let end = last_second_of_local_day(date).ok_or(())?;
                if end <= now {
                    return Err(());
                }
                Ok(Some(end))
            }
        }
    }
}

/// 23:59:59 on the local day `YYYY-MM-DD`.
fn last_second_of_local_day(date: &str) -> Option<DateTime<Utc>> {
    let mut parts = date.split('-').map(|part| part.parse::<u32>().ok());
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    let next_midnight = js_sys::Date::new_with_year_month_day(year, month as i32 - 1, day as i32 + 1);
    let millis = next_midnight.get_time();
    (!millis.is_nan()).then(|| DateTime::from_timestamp_millis(millis as i64 - 1000)).flatten()
}

/// Today in the browser's time zone, as the date picker writes it (its `min`).
pub fn local_today() -> String {
    picker_value(&js_sys::Date::new_0())
}

/// A date as the date picker writes it: `YYYY-MM-DD`, in the browser's time zone.
fn picker_value(date: &js_sys::Date) -> String {
    format!("{:04}-{:02}-{:02}", date.get_full_year(), date.get_month() + 1, date.get_date())
}

/// The last day the date picker offers under a maximum lifetime of `max_days`: a key
/// chosen to work through that whole day still ends within the maximum.
pub fn latest_local_date(max_days: u32) -> String {
    let latest = js_sys::Date::new_0();
    latest.set_date(latest.get_date() + max_days - 1);
    picker_value(&latest)
}

/// The browser's time as the key list reads expiries: readers run again every 30 seconds,
/// so a row turns *Expires soon*, *Expired*, or loses its previous secret's overlap while
/// the page stays open (the server has refused the key from that instant anyway).
#[derive(Clone, Copy)]
pub struct ListClock(Trigger);

impl ListClock {
    const TICK: std::time::Duration = std::time::Duration::from_secs(30);

    /// Starts the clock for the components below; it stops with them.
    pub fn provide() {
        let tick = Trigger::new();
        if let Ok(handle) = set_interval_with_handle(move || tick.notify(), Self::TICK) {
            on_cleanup(move || handle.clear());
        }
        provide_context(Self(tick));
    }

    /// The list's clock, or one that never ticks where no list provides it.
    pub fn get() -> Self {
        use_context::<Self>().unwrap_or_else(|| Self(Trigger::new()))
    }

    /// Now, read when asked (tracked: a reader runs again at each tick).
    pub fn now(self) -> DateTime<Utc> {
        self.0.track();
        browser_now()
    }
}

pub fn browser_now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// How a listed key's expiry reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryState {
    Never,
    /// Expires within this many days (rounded up; 1 means within a day).
    InDays(i64),
    Expired,
}

/// Whether a key's expiry asks for attention: it comes within the days of the server's
/// first reminder (7).
pub fn expires_soon(state: ExpiryState) -> bool {
    matches!(state, ExpiryState::InDays(days) if days <= i64::from(sesame_model::EXPIRY_REMINDER_DAYS[0]))
}

pub fn expiry_state(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> ExpiryState {
    match expires_at {
        None => ExpiryState::Never,
        Some(at) if at <= now => ExpiryState::Expired,
        Some(at) => {
            let millis = (at - now).num_milliseconds();
            let day = TimeDelta::days(1).num_milliseconds();
            ExpiryState::InDays((millis + day - 1) / day)
        }
    }
}
