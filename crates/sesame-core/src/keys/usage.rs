//! What a key did: its usage per hour or day, and forgetting old usage.

use std::collections::HashMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sesame_model::Permission;

use super::{KeyError, Keys};
use crate::{
    actor::Actor,
    model::ApiKeyId,
    store::{self, StoreError},
    usage::{self, Granularity, UsageSeries},
};

impl Keys {
    /// What one of the actor's keys did over `[from, to)`, per hour or day, every bucket
    /// included. A range longer than [`usage::longest`] is cut to its end (the series says
    /// where it starts); one that does not start before it ends has no buckets.
    pub async fn usage(
        &self,
        actor: &Actor,
        id: ApiKeyId,
        granularity: Granularity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<UsageSeries, KeyError> {
        self.door.require(actor, Permission::ApiKeysRead)?;
        let from = from.max(to - usage::longest(granularity)).min(to);
        let mut conn = self.store.read().await?;
        store::keys::find(&mut conn, id).await?.filter(|key| key.user_id == actor.user.id).ok_or(KeyError::NotFound)?;
        let (start, end) = usage::whole_buckets(granularity, from, to);
        let hours = store::usage::hours(&mut conn, id, start, end).await?;
        Ok(usage::series(granularity, from, to, &hours))
    }

    /// Each of the actor's keys' requests per day over the last `days` days (today last),
    /// for the panel's sparklines.
    pub async fn daily_usage(&self, actor: &Actor, days: u32) -> Result<Vec<(ApiKeyId, UsageSeries)>, KeyError> {
        self.door.require(actor, Permission::ApiKeysRead)?;
        let to = self.store.now();
        // From the start of the first of the `days` (UTC), today included.
        let today = to.duration_trunc(TimeDelta::days(1)).unwrap_or(to);
        let from = today - TimeDelta::days(i64::from(days.clamp(1, 90)) - 1);
        let mut conn = self.store.read().await?;
        let keys = store::keys::list(&mut conn, actor.user.id).await?;
        let (start, end) = usage::whole_buckets(Granularity::Day, from, to);
        let mut by_key: HashMap<ApiKeyId, Vec<(i64, usage::Counts)>> = HashMap::new();
        for (key, hour, counts) in store::usage::hours_of_owner(&mut conn, actor.user.id, start, end).await? {
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
