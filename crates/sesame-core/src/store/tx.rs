//! One change in progress, and how long it holds the write lock.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{Any, AnyConnection};

use super::{Backend, StoreResult};

/// One change in progress: everything a use case writes — the change, its activity event —
/// commits together or not at all.
pub(crate) struct Tx {
    pub(super) tx: sqlx::Transaction<'static, Any>,
    pub(super) backend: Backend,
    /// The time the change happens at.
    pub(super) now: DateTime<Utc>,
    pub(super) _held: HoldTimer,
    /// SQLite: this writer's turn, given back when the transaction ends (after it: fields
    /// drop in order).
    pub(super) _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

/// A write transaction held longer than this is logged: every other writer waited for it
/// (on SQLite, all of them, in their turn), and past 5 s of waiting they give up with 503.
const SLOW_WRITE: Duration = Duration::from_secs(1);

/// Warns, when the transaction ends, if it held the write lock longer than [`SLOW_WRITE`],
/// naming the code that began it.
pub(super) struct HoldTimer {
    pub(super) begun: std::time::Instant,
    pub(super) caller: &'static std::panic::Location<'static>,
}

impl Drop for HoldTimer {
    fn drop(&mut self) {
        let held = self.begun.elapsed();
        if held > SLOW_WRITE {
            let held_ms = u64::try_from(held.as_millis()).unwrap_or(u64::MAX);
            tracing::warn!(held_ms, began_at = %self.caller, "a write transaction held the lock long");
        }
    }
}

impl Tx {
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub(crate) async fn commit(self) -> StoreResult<()> {
        Ok(self.tx.commit().await?)
    }

    /// What to append to a `SELECT` of one table's rows to hold them until commit.
    pub(crate) fn share_lock(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR SHARE",
        }
    }

    /// What to append to a `SELECT` of rows this transaction is about to change (SQLite:
    /// nothing, the transaction already holds the write lock).
    pub(crate) fn update_lock(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }
}
