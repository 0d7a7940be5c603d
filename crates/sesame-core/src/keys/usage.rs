//! What a key did: its usage per hour or day, and forgetting old usage.

use std::collections::HashMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sesame_model::Operation;

use super::{KeyError, Keys};
use crate::{
    actor::Actor,
    model::{ApiKeyId, UserId},
    store::{self, StoreError},
    usage::{self, Granularity, UsageSeries},
};

/// Which of a key's usage to read: per `granularity`, up to `to` (none: now), from `from`
/// (none: the last `buckets` buckets, the current one included — by default the last 24
/// hours by hour, the last 30 days by day).
#[derive(Debug, Clone, Copy)]
pub struct UsageWindow {
    pub granularity: Granularity,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub buckets: Option<u32>,
}

impl UsageWindow {
    /// The last `buckets` buckets of `granularity`, the current one included.
    pub fn last(granularity: Granularity, buckets: u32) -> Self {
        Self { granularity, from: None, to: None, buckets: Some(buckets) }
    }

    /// `[from, to)` by `granularity`.
    pub fn between(granularity: Granularity, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        Self { granularity, from: Some(from), to: Some(to), buckets: None }
    }

    /// The granularity and the range, with what was left out read at `now`.
    fn at(self, now: DateTime<Utc>) -> (Granularity, DateTime<Utc>, DateTime<Utc>) {
        let to = self.to.unwrap_or(now);
        let (unit, default_buckets) = match self.granularity {
            Granularity::Hour => (TimeDelta::hours(1), 24),
            Granularity::Day => (TimeDelta::days(1), 30),
        };
        let buckets = i32::try_from(self.buckets.unwrap_or(default_buckets).clamp(1, 90 * 24)).unwrap_or(24);
        let from = self.from.unwrap_or_else(|| to.duration_trunc(unit).unwrap_or(to) - unit * (buckets - 1));
        (self.granularity, from, to)
    }
}

impl Keys {
    /// What one of the actor's keys did over a window, per hour or day, every bucket
    /// included. A range longer than [`usage::longest`] is cut to its end (the series says
    /// where it starts); one that does not start before it ends has no buckets.
    pub async fn usage(&self, actor: &Actor, id: ApiKeyId, window: UsageWindow) -> Result<UsageSeries, KeyError> {
        self.door.require(actor, Operation::GetApiKeyUsage)?;
        let (granularity, from, to) = window.at(self.store.now());
        let from = from.max(to - usage::longest(granularity)).min(to);
        let mut conn = self.store.read().await?;
        store::key_access::find_manageable(&mut conn, actor.user.id, id).await?.ok_or(KeyError::NotFound)?;
        let (start, end) = usage::whole_buckets(granularity, from, to);
        let hours = store::usage::hours(&mut conn, id, start, end).await?;
        Ok(usage::series(granularity, from, to, &hours))
    }

    /// Each of the actor's keys' requests per day over the last `days` days (today last),
    /// for the panel's sparklines.
    pub async fn daily_usage(&self, actor: &Actor, days: u32) -> Result<Vec<(ApiKeyId, UsageSeries)>, KeyError> {
        self.daily_usage_of(actor, None, days).await
    }

    /// The same for a service account's keys the actor manages (`owner`), or their own.
    pub async fn daily_usage_of(&self, actor: &Actor, owner: Option<UserId>, days: u32) -> Result<Vec<(ApiKeyId, UsageSeries)>, KeyError> {
        self.door.require(actor, Operation::DailyKeyUsage)?;
        let to = self.store.now();
        // From the start of the first of the `days` (UTC), today included.
        let today = to.duration_trunc(TimeDelta::days(1)).unwrap_or(to);
        let from = today - TimeDelta::days(i64::from(days.clamp(1, 90)) - 1);
        let mut conn = self.store.read().await?;
        let owner = super::managed_owner(&mut conn, actor, owner).await?;
        let keys = store::keys::list(&mut conn, owner).await?;
        let (start, end) = usage::whole_buckets(Granularity::Day, from, to);
        let mut by_key: HashMap<ApiKeyId, Vec<(i64, usage::Counts)>> = HashMap::new();
        for (key, hour, counts) in store::usage::hours_of_owner(&mut conn, owner, start, end).await? {
            by_key.entry(key).or_default().push((hour, counts));
        }
        Ok(keys
            .iter()
            .map(|key| (key.id, usage::series(Granularity::Day, from, to, by_key.get(&key.id).map_or(&[], Vec::as_slice))))
            .collect())
    }

    /// Forgets usage older than [`usage::USAGE_KEPT`] (call now and then); how many hours.
    pub(crate) async fn purge_old_usage(&self) -> Result<u64, StoreError> {
        let before = usage::hour_of(self.store.now() - usage::USAGE_KEPT);
        let mut tx = self.store.write().await?;
        let purged = store::usage::purge(tx.conn(), before).await?;
        tx.commit().await?;
        Ok(purged)
    }
}
