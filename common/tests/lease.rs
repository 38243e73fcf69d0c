//! Redis leases against the real Redis: one holder at a time, handed on
//! when the holder dies, never freed or extended by another holder.

use std::{sync::Arc, time::Duration};

use common::{Settings, lease::Lease, redis_conn::LazyRedis};

/// A fresh key under a test prefix, and a connection maker for it.
fn setup() -> (Arc<LazyRedis>, String) {
    let settings = Settings::load().expect("settings");
    let client = common::redis_client::client(&settings.redis).expect("client");
    let key = format!("test:{}:lease", uuid::Uuid::new_v4().simple());
    (Arc::new(LazyRedis::new(client)), key)
}

async fn value(redis: &LazyRedis, key: &str) -> Option<String> {
    let mut connection = redis.get().await.expect("redis");
    redis::cmd("GET")
        .arg(key)
        .query_async(&mut connection)
        .await
        .expect("GET")
}

#[tokio::test]
async fn of_two_holders_asking_at_once_only_one_gets_the_lease() {
    let (redis, key) = setup();
    let a = Lease::new(Arc::clone(&redis), &key, Duration::from_secs(5));
    let b = Lease::new(Arc::clone(&redis), &key, Duration::from_secs(5));
    let (got_a, got_b) = tokio::join!(a.try_acquire(), b.try_acquire());
    let (got_a, got_b) = (got_a.expect("a asks"), got_b.expect("b asks"));
    assert!(
        got_a.is_some() != got_b.is_some(),
        "exactly one holder gets the lease"
    );
    let (winner, guard, loser) = match (got_a, got_b) {
        (Some(guard), None) => (&a, guard, &b),
        (None, Some(guard)) => (&b, guard, &a),
        _ => unreachable!("checked above"),
    };
    assert_eq!(value(&redis, &key).await.as_deref(), Some(winner.owner()));
    assert!(loser.try_acquire().await.expect("asks again").is_none());
    assert!(guard.release().await.expect("released"));
    let next = loser.try_acquire().await.expect("asks after release");
    assert!(next.is_some(), "a released lease is free at once");
    next.expect("held").release().await.expect("released");
}

#[tokio::test]
async fn a_held_lease_is_renewed_past_its_ttl() {
    let (redis, key) = setup();
    let holder = Lease::new(Arc::clone(&redis), &key, Duration::from_millis(300));
    let other = Lease::new(Arc::clone(&redis), &key, Duration::from_millis(300));
    let guard = holder.try_acquire().await.expect("asks").expect("free");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(guard.is_held());
    assert!(other.try_acquire().await.expect("asks").is_none());
    guard.release().await.expect("released");
}

#[tokio::test]
async fn when_the_holder_dies_the_lease_expires_and_another_takes_it() {
    let (redis, key) = setup();
    let holder = Lease::new(Arc::clone(&redis), &key, Duration::from_millis(400));
    let other = Lease::new(Arc::clone(&redis), &key, Duration::from_millis(400));
    // Dropping the guard stops the renewals without freeing the key, as
    // when the holder's process is killed.
    drop(holder.try_acquire().await.expect("asks").expect("free"));
    assert!(other.try_acquire().await.expect("asks").is_none());
    tokio::time::sleep(Duration::from_millis(600)).await;
    let guard = other.try_acquire().await.expect("asks").expect("expired");
    assert_eq!(value(&redis, &key).await.as_deref(), Some(other.owner()));
    guard.release().await.expect("released");
}

#[tokio::test]
async fn a_non_owner_can_neither_release_nor_renew_the_lease() {
    let (redis, key) = setup();
    let holder = Lease::new(Arc::clone(&redis), &key, Duration::from_secs(5));
    let intruder = Lease::new(Arc::clone(&redis), &key, Duration::from_secs(5));
    let guard = holder.try_acquire().await.expect("asks").expect("free");
    assert!(!intruder.release().await.expect("release asked"));
    assert!(!intruder.renew().await.expect("renew asked"));
    assert_eq!(value(&redis, &key).await.as_deref(), Some(holder.owner()));
    assert!(intruder.try_acquire().await.expect("asks").is_none());
    assert!(guard.is_held());
    guard.release().await.expect("released");
}

#[tokio::test]
async fn a_holder_whose_lease_was_taken_over_stops_claiming_it() {
    let (redis, key) = setup();
    let holder = Lease::new(Arc::clone(&redis), &key, Duration::from_millis(300));
    let guard = holder.try_acquire().await.expect("asks").expect("free");
    // Someone else's value in the key (the holder stalled past its ttl).
    let mut connection = redis.get().await.expect("redis");
    let _: () = redis::cmd("SET")
        .arg(&key)
        .arg("someone-else")
        .query_async(&mut connection)
        .await
        .expect("SET");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(!guard.is_held(), "the renewal noticed the lease is gone");
    assert!(!guard.release().await.expect("release asked"));
    assert_eq!(value(&redis, &key).await.as_deref(), Some("someone-else"));
}
