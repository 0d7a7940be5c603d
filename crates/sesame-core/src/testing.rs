//! Aids for tests and benchmarks, compiled only with the `testing` feature: production
//! builds carry none of it.

/// Stops the process abruptly, as a crash would, when `SESAME_FAILPOINT` names `point`.
/// Without the `testing` feature this is nothing at all.
#[cfg(feature = "testing")]
pub(crate) fn failpoint(point: &str) {
    if std::env::var("SESAME_FAILPOINT").is_ok_and(|wanted| wanted == point) {
        eprintln!("failpoint {point}: aborting");
        std::process::abort();
    }
}

#[cfg(not(feature = "testing"))]
#[inline(always)]
pub(crate) fn failpoint(_point: &str) {}

/// Waits there, as slow storage would, when `SESAME_PAUSE` is `point:<milliseconds>`.
/// Without the `testing` feature this is nothing at all.
#[cfg(feature = "testing")]
pub(crate) async fn pause(point: &str) {
    let wanted = std::env::var("SESAME_PAUSE").unwrap_or_default();
    if let Some(ms) = wanted.strip_prefix(point).and_then(|rest| rest.strip_prefix(':')).and_then(|ms| ms.parse().ok()) {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}

#[cfg(not(feature = "testing"))]
#[inline(always)]
pub(crate) async fn pause(_point: &str) {}

/// Creates an empty PostgreSQL database on the server `server_url` points at, for a test or
/// a benchmark of its own. `name` must be a plain identifier.
#[cfg(feature = "testing")]
pub async fn create_postgres_database(server_url: &str, name: &str) -> crate::store::StoreResult<()> {
    use sqlx::Connection;
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(crate::store::StoreError::UnsupportedUrl);
    }
    let mut connection = sqlx::PgConnection::connect(server_url).await?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut connection).await?;
    connection.close().await?;
    Ok(())
}
