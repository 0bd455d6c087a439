//! The overviews, one per filter: read in a background task (one at a time per filter),
//! kept for `--refresh`, then served stale while a fresh one is read, and shown partial while
//! the first one is still being read, so that a large account's page answers in seconds even
//! where the API's list rate makes reading everything take a minute.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::sync::watch;

use super::overview::{Folder, Overview};
use super::source::Filter;
use tm_core::account::Shipment;

/// Overviews kept at once; the least recently used goes first.
const KEPT: usize = 16;

/// Shipments between two updates of the partial figures.
const PARTIAL_EVERY: u64 = 2_000;

/// How a reading ended: the overview, or the error's message.
type Outcome = Option<Result<Arc<Overview>, String>>;

struct Reading {
    partial: Mutex<Arc<Overview>>,
    done: watch::Sender<Outcome>,
}

#[derive(Default)]
struct Entry {
    ready: Option<(Instant, Arc<Overview>)>,
    reading: Option<Arc<Reading>>,
    used: Option<Instant>,
}

/// What a page can show now.
pub enum Shown {
    /// A complete overview (possibly up to `--refresh` old, or older while a fresh one is read).
    Ready(Arc<Overview>),
    /// The figures read so far: the first reading is still going on.
    Partial(Arc<Overview>),
    /// The reading failed; its message.
    Failed(String),
}

/// The cache.
pub struct Overviews {
    entries: Mutex<HashMap<Filter, Entry>>,
    refresh: Duration,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind: still usable.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Overviews {
    /// A cache keeping overviews fresh for `refresh`.
    pub fn new(refresh: Duration) -> Overviews {
        Overviews {
            entries: Mutex::new(HashMap::new()),
            refresh,
        }
    }

    /// The overview for `filter`: fresh from the cache, stale while `start`'s stream is read
    /// again, or — the first time — whatever is known after waiting up to `wait`.
    pub async fn get<F>(
        self: &Arc<Self>,
        filter: &Filter,
        wait: Duration,
        start: F,
    ) -> Result<Shown, String>
    where
        F: FnOnce() -> Result<(BoxStream<'static, tm_core::Result<Shipment>>, Folder), String>,
    {
        let (reading, stale) = {
            let mut entries = lock(&self.entries);
            let entry = entries.entry(filter.clone()).or_default();
            entry.used = Some(Instant::now());
            if let Some((at, o)) = &entry.ready
                && at.elapsed() < self.refresh
            {
                return Ok(Shown::Ready(o.clone()));
            }
            let reading = match &entry.reading {
                Some(r) => r.clone(),
                None => {
                    let (stream, folder) = start()?;
                    let r = Arc::new(Reading {
                        partial: Mutex::new(Arc::new(folder.snapshot())),
                        done: watch::channel(None).0,
                    });
                    entry.reading = Some(r.clone());
                    tokio::spawn(self.clone().read(filter.clone(), r.clone(), stream, folder));
                    r
                }
            };
            (reading, entry.ready.as_ref().map(|(_, o)| o.clone()))
        };
        if let Some(stale) = stale {
            return Ok(Shown::Ready(stale));
        }
        let mut done = reading.done.subscribe();
        let finished = tokio::time::timeout(wait, done.wait_for(Option::is_some)).await;
        Ok(match finished {
            Ok(Ok(outcome)) => match outcome.clone() {
                Some(Ok(o)) => Shown::Ready(o),
                Some(Err(message)) => Shown::Failed(message),
                None => Shown::Partial(lock(&reading.partial).clone()),
            },
            _ => Shown::Partial(lock(&reading.partial).clone()),
        })
    }

    async fn read(
        self: Arc<Self>,
        filter: Filter,
        reading: Arc<Reading>,
        mut stream: BoxStream<'static, tm_core::Result<Shipment>>,
        mut folder: Folder,
    ) {
        let mut n: u64 = 0;
        let mut failure = None;
        while let Some(item) = stream.next().await {
            match item {
                Ok(s) => folder.add(s),
                Err(tm_core::Error::Undecoded(_)) => folder.unreadable(),
                Err(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            }
            n += 1;
            if n.is_multiple_of(PARTIAL_EVERY) {
                *lock(&reading.partial) = Arc::new(folder.snapshot());
            }
        }
        let outcome = match failure {
            Some(message) => Err(message),
            None => Ok(Arc::new(folder.finish())),
        };
        {
            let mut entries = lock(&self.entries);
            if let Some(entry) = entries.get_mut(&filter) {
                entry.reading = None;
                if let Ok(o) = &outcome {
                    entry.ready = Some((Instant::now(), o.clone()));
                }
            }
            while entries.len() > KEPT {
                let Some(oldest) = entries
                    .iter()
                    .filter(|(_, e)| e.reading.is_none())
                    .min_by_key(|(_, e)| e.used)
                    .map(|(k, _)| k.clone())
                else {
                    break;
                };
                entries.remove(&oldest);
            }
        }
        reading.done.send_replace(Some(outcome));
    }

    /// After a change seen live: the next page shows the kept figures while fresh ones are
    /// read.
    pub fn stale(&self) {
        for entry in lock(&self.entries).values_mut() {
            if let Some((at, _)) = &mut entry.ready {
                *at = Instant::now().checked_sub(self.refresh).unwrap_or(*at);
            }
        }
    }

    /// After an action on the account: the next page waits for fresh figures.
    pub fn forget(&self) {
        for entry in lock(&self.entries).values_mut() {
            entry.ready = None;
        }
    }
}
