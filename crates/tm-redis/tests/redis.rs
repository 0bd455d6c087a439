//! Against a real `redis-server` on loopback (installed and started by `.ci/run`): several
//! limiters sharing one key, Redis restarting mid-run, bad URLs, and no API key stored.
//!
//! Outside CI the tests skip, with a message, where no `redis-server` can be started; in CI
//! (`CI` set) a missing server fails them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tm_redis::testing::TestRedis;
use tm_redis::{
    Availability, RedisLimiterOptions, RedisRateLimiter, WhenUnavailable, account_hash,
};
use tm_transport::{Rate, RateClass, RateLimiter, RateLimits};

const DEFAULT: RateClass = RateClass::new("default");

/// A redis-server for this test, or a skip (outside CI) where none can be started.
fn server() -> Option<TestRedis> {
    let s = TestRedis::start();
    if s.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must provide redis-server (Debian package redis-server)"
        );
        eprintln!(
            "skipping: no redis-server could be started (install Debian's redis-server to run this test)"
        );
    }
    s
}

fn limits(per_sec: u32) -> RateLimits {
    RateLimits::new().with_class(DEFAULT, Some(Rate::per_second(per_sec)))
}

fn options() -> RedisLimiterOptions {
    RedisLimiterOptions {
        max_wait: Duration::from_secs(10),
        retry_every: Duration::from_millis(50),
        command_timeout: Duration::from_millis(500),
        ..RedisLimiterOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limiters_sharing_a_key_share_one_rate() {
    let Some(server) = server() else {
        return;
    };
    // Three "processes" (separate limiters, separate connections), eight tasks each.
    let rate = 50;
    let shared: Vec<Arc<RedisRateLimiter>> = (0..3)
        .map(|_| {
            Arc::new(
                RedisRateLimiter::new(&server.url(), "shop-key-1", limits(rate), options())
                    .unwrap(),
            )
        })
        .collect();
    let grants = Arc::new(std::sync::Mutex::new(Vec::new()));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for l in &shared {
        for _ in 0..8 {
            let (l, grants) = (l.clone(), grants.clone());
            tasks.push(tokio::spawn(async move {
                for _ in 0..5 {
                    l.acquire(&DEFAULT).await.unwrap();
                    grants.lock().unwrap().push(start.elapsed());
                }
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut g = grants.lock().unwrap().clone();
    g.sort();
    assert_eq!(g.len(), 120);
    // 120 permits at 50/s need at least 119 intervals of 20 ms.
    let span = *g.last().unwrap() - g[0];
    assert!(
        span >= Duration::from_millis(2_300),
        "120 permits in {span:?}"
    );
    // No second holds more than the rate (plus one for the window's edge).
    for (i, t) in g.iter().enumerate() {
        let in_window = g[i..]
            .iter()
            .take_while(|u| **u - *t < Duration::from_secs(1))
            .count();
        assert!(
            in_window <= rate as usize + 1,
            "{in_window} permits within one second"
        );
    }
    // Another account has a budget of its own.
    let other =
        RedisRateLimiter::new(&server.url(), "shop-key-2", limits(rate), options()).unwrap();
    let t = Instant::now();
    other.acquire(&DEFAULT).await.unwrap();
    assert!(t.elapsed() < Duration::from_millis(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_key_is_never_stored_in_redis() {
    let Some(server) = server() else {
        return;
    };
    let key = "secret-api-key-0123456789";
    let l = RedisRateLimiter::new(&server.url(), key, limits(10), options()).unwrap();
    l.acquire(&DEFAULT).await.unwrap();
    let client = redis::Client::open(server.url()).unwrap();
    let mut c = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut c)
        .await
        .unwrap();
    assert_eq!(keys, [format!("tm:rl:{}:default", account_hash(key))]);
    assert!(keys.iter().all(|k| !k.contains(key)));
    assert!(!format!("{l:?}").contains(key));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarting_mid_run_is_waited_out_or_fallen_back_from() {
    let Some(mut server) = server() else {
        return;
    };
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = events.clone();
    let wait = RedisRateLimiter::new(&server.url(), "k", limits(100), options())
        .unwrap()
        .on_availability(move |change| {
            seen.lock().unwrap().push(match change {
                Availability::Lost { cause, .. } => format!("lost: {cause}"),
                Availability::Restored { .. } => "restored".to_owned(),
                _ => "other".to_owned(),
            })
        });
    let fallback = RedisRateLimiter::new(
        &server.url(),
        "k",
        limits(100),
        RedisLimiterOptions {
            when_unavailable: WhenUnavailable::FallBackToLocal,
            ..options()
        },
    )
    .unwrap();
    wait.acquire(&DEFAULT).await.unwrap();
    fallback.acquire(&DEFAULT).await.unwrap();
    server.stop();
    // Falling back answers at once, from the in-process limiter.
    let t = Instant::now();
    fallback.acquire(&DEFAULT).await.unwrap();
    assert!(t.elapsed() < Duration::from_secs(2));
    // Waiting: Redis comes back after half a second and the permit is granted.
    let restart = tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(500));
        assert!(server.restart(), "redis restarted");
        server
    });
    let t = Instant::now();
    wait.acquire(&DEFAULT).await.unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "it waited for Redis"
    );
    let mut server = restart.await.unwrap();
    // Told once when lost (not once per retry) and once when back.
    let told = events.lock().unwrap().clone();
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told[0].starts_with("lost: "), "{told:?}");
    assert!(
        !told[0].contains("no detail"),
        "the cause is named: {told:?}"
    );
    assert_eq!(told[1], "restored");
    // Redis gone for longer than max_wait: an error, not an endless wait.
    server.stop();
    let short = RedisRateLimiter::new(
        &server.url(),
        "k",
        limits(100),
        RedisLimiterOptions {
            unavailable_wait: Duration::from_millis(300),
            ..options()
        },
    )
    .unwrap();
    let t = Instant::now();
    let e = short.acquire(&DEFAULT).await.unwrap_err();
    assert!(e.to_string().contains(" unavailable for 300ms"), "{e}");
    assert!(e.to_string().contains("refused"), "the cause is named: {e}");
    assert!(t.elapsed() < Duration::from_secs(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_urls_fail_clearly_and_unlimited_classes_need_no_redis() {
    for bad in ["not a url", "http://127.0.0.1:6379", ""] {
        assert!(
            RedisRateLimiter::new(bad, "k", limits(1), options()).is_err(),
            "{bad:?}"
        );
    }
    // Nothing listens here: the first acquire fails within max_wait.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let l = RedisRateLimiter::new(
        &format!("redis://:hunter2@127.0.0.1:{port}"),
        "k",
        limits(1),
        RedisLimiterOptions {
            max_wait: Duration::from_millis(200),
            ..options()
        },
    )
    .unwrap();
    let e = l.acquire(&DEFAULT).await.unwrap_err();
    assert!(
        !e.to_string().contains("hunter2"),
        "the Redis password is not echoed: {e}"
    );
    assert!(!format!("{l:?}").contains("hunter2"));
    assert!(
        e.to_string()
            .contains(&format!("redis://:***@127.0.0.1:{port}")),
        "names the Redis: {e}"
    );
    // An unlimited class never touches Redis; an unknown one is refused.
    let list = RateClass::new("list");
    let unlimited = RedisRateLimiter::new(
        &format!("redis://127.0.0.1:{port}"),
        "k",
        RateLimits::new().with_class(list.clone(), None),
        options(),
    )
    .unwrap();
    unlimited.acquire(&list).await.unwrap();
    let unknown = unlimited.acquire(&DEFAULT).await.unwrap_err();
    assert!(unknown.to_string().contains("`default`"), "{unknown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_admits_n_per_window_then_suspends() {
    let Some(redis) = server() else { return };
    let store = tm_redis::LimitStore::new(&redis.url(), Duration::from_secs(1)).unwrap();
    let limit = tm_redis::Window {
        capacity: 3,
        window: Duration::from_secs(1),
        slack: Duration::ZERO,
        suspension: Duration::from_millis(400),
    };
    for _ in 0..3 {
        assert_eq!(store.window("w", "s", limit, 1).await.unwrap(), None);
    }
    let wait = store
        .window("w", "s", limit, 1)
        .await
        .unwrap()
        .expect("the 4th is refused");
    assert!(
        wait <= Duration::from_millis(400) && wait > Duration::from_millis(300),
        "{wait:?}"
    );
    // Weights count: a window of 10 units takes 6 + 4, not 6 + 5.
    let units = tm_redis::Window {
        capacity: 10,
        suspension: Duration::ZERO,
        ..limit
    };
    assert_eq!(store.window("t", "ts", units, 6).await.unwrap(), None);
    assert!(store.window("t", "ts", units, 5).await.unwrap().is_some());
    assert_eq!(
        store.window("t", "ts", units, 4).await.unwrap(),
        None,
        "no suspension configured"
    );
    // After the suspension and the window, admitted again.
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(store.window("w", "s", limit, 1).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_is_not_redis_fails_at_once_in_one_line() {
    use tokio::io::AsyncWriteExt;
    // An HTTP server where Redis was expected: its answer is not the Redis protocol.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let _ = s
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n\
                      <html>\r\n<body>\r\n<h1>400 Bad Request</h1>\r\n</body>\r\n</html>\r\n",
                )
                .await;
        }
    });
    let limiter = RedisRateLimiter::new(
        &format!("redis://{addr}"),
        "the-key",
        limits(5),
        RedisLimiterOptions {
            unavailable_wait: Duration::from_secs(30),
            ..options()
        },
    )
    .unwrap();
    let started = Instant::now();
    let err = limiter.acquire(&DEFAULT).await.unwrap_err().to_string();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "waited {:?} for a server that will never be Redis",
        started.elapsed()
    );
    assert!(err.contains("not a Redis server"), "{err}");
    assert!(!err.contains('\n'), "one line: {err}");
}
