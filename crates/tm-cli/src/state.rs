//! What `tm` keeps between runs: import journals and watch cursors, in the state database
//! (one SQLite file in the data directory, `--state-db`; the sandbox's account lives in the
//! same file, in tm-sim's own tables).
//!
//! Every write is a transaction committed before `tm` reports what it kept, so a second
//! process, a SIGKILL at any moment, a full disk or a read-only directory never leave a row
//! reported that was not kept: a failure to keep something is a [`Failure::State`] (exit 5)
//! naming the file and the cause. WAL mode, `synchronous=NORMAL`: durable against a process
//! crash (a power loss may lose the last commits, never corrupt the file).
//!
//! Both are keyed by the account they belong to ([`account_key`]: the API generation, the
//! base URL and a hash of the key, never the key; for the sandbox, its account instance), so
//! a journal or cursor of one account is never used for another.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OptionalExtension, params};
use sha2::{Digest, Sha256};

use tm_core::account::{JournalEntry, JournalError, Outcome};

use crate::Failure;

/// How long a write waits for another process's before it gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// The schema of `tm`'s own tables, one step per version (kept in `tm_schema`).
const MIGRATIONS: &[&str] = &[
    // 1: import journals (one per account and file content) with their rows' final outcomes;
    // watch cursors (per account and name) with the last status seen per tracking.
    "CREATE TABLE tm_import (
        id INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        file_sha256 TEXT NOT NULL,
        file_name TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        UNIQUE (account, file_sha256)
    );
    CREATE TABLE tm_import_row (
        import INTEGER NOT NULL REFERENCES tm_import (id) ON DELETE CASCADE,
        row INTEGER NOT NULL,
        carrier_code TEXT NOT NULL,
        tracking_number TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT,
        PRIMARY KEY (import, row)
    ) WITHOUT ROWID;
    CREATE TABLE tm_watch (
        account TEXT NOT NULL,
        name TEXT NOT NULL,
        since INTEGER,
        PRIMARY KEY (account, name)
    );
    CREATE TABLE tm_watch_status (
        account TEXT NOT NULL,
        name TEXT NOT NULL,
        tracking TEXT NOT NULL,
        status TEXT NOT NULL,
        PRIMARY KEY (account, name, tracking)
    ) WITHOUT ROWID;",
];

/// The state database, open (one connection, one user at a time).
pub struct State {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// The default state database: `tm.db` in the user's data directory.
pub fn default_path() -> PathBuf {
    data_dir().join("tm.db")
}

/// `trackingmore-rs` in the user's data directory (a temporary directory without one).
pub fn data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("trackingmore-rs")
}

/// What names an account in the state database: the generation, the base URL and a hash of
/// the key for an API account; the generation and the account instance for the sandbox (a
/// new one after each reset).
pub fn account_key(generation: &str, base_url: &str, key: &str, sandbox: Option<&str>) -> String {
    match sandbox {
        Some(instance) => format!("{}{generation}", sandbox_prefix(instance)),
        None => {
            let hash = hex::encode(&Sha256::digest(key.as_bytes())[..12]);
            format!("{generation} {base_url} key-sha256:{hash}")
        }
    }
}

/// The start of every account key of the sandbox instance `instance` (both generations).
pub fn sandbox_prefix(instance: &str) -> String {
    format!("sandbox {instance} ")
}

impl State {
    /// Opens (creating if needed) the state database at `path`.
    pub fn open(path: &Path) -> Result<State, Failure> {
        let fail = |e: &rusqlite::Error| failure(path, e);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                Failure::State(format!(
                    "{}: cannot create its directory: {e}",
                    path.display()
                ))
            })?;
        }
        let conn = Connection::open(path).map_err(|e| fail(&e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| fail(&e))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| fail(&e))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| fail(&e))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| fail(&e))?;
        let state = State {
            conn: Mutex::new(conn),
            path: path.to_owned(),
        };
        state.transaction(|conn| migrate(conn, path))?;
        Ok(state)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` in one write transaction, committed before this returns.
    fn transaction<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let conn = self.conn();
        conn.execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.fail(&e))?;
        let result = f(&conn).and_then(|v| {
            conn.execute_batch("COMMIT")
                .map(|()| v)
                .map_err(|e| self.fail(&e))
        });
        if result.is_err() && !conn.is_autocommit() {
            // Nothing of it is kept; a failed rollback leaves nothing either.
            let _ = conn.execute_batch("ROLLBACK");
        }
        result
    }

    fn fail(&self, e: &rusqlite::Error) -> Failure {
        failure(&self.path, e)
    }

    /// The import journal of `account` for a file whose content hashes to `file_sha256`
    /// (created empty the first time).
    pub fn journal(
        &self,
        account: &str,
        file_sha256: &str,
        file_name: &str,
    ) -> Result<Journal<'_>, Failure> {
        let id = self.transaction(|conn| {
            conn.execute(
                "INSERT INTO tm_import (account, file_sha256, file_name, started_at)
                 VALUES (?1, ?2, ?3, unixepoch())
                 ON CONFLICT (account, file_sha256) DO NOTHING",
                params![account, file_sha256, file_name],
            )
            .and_then(|_| {
                conn.query_row(
                    "SELECT id FROM tm_import WHERE account = ?1 AND file_sha256 = ?2",
                    params![account, file_sha256],
                    |r| r.get::<_, i64>(0),
                )
            })
            .map_err(|e| self.fail(&e))
        })?;
        Ok(Journal { state: self, id })
    }

    /// Forgets every journal and cursor of the accounts whose key starts with `prefix` (a
    /// sandbox's, when it is reset).
    pub fn forget_accounts(&self, prefix: &str) -> Result<(), Failure> {
        let pattern = format!("{}%", prefix.replace('%', "\\%").replace('_', "\\_"));
        self.transaction(|conn| {
            for sql in [
                "DELETE FROM tm_import WHERE account LIKE ?1 ESCAPE '\\'",
                "DELETE FROM tm_watch WHERE account LIKE ?1 ESCAPE '\\'",
                "DELETE FROM tm_watch_status WHERE account LIKE ?1 ESCAPE '\\'",
            ] {
                conn.execute(sql, [&pattern]).map_err(|e| self.fail(&e))?;
            }
            Ok(())
        })
    }

    /// The watch cursor `name` of `account`: the newest update time seen and the last status
    /// of every tracking seen.
    pub fn cursor(
        &self,
        account: &str,
        name: &str,
    ) -> Result<(Option<i64>, HashMap<String, String>), Failure> {
        let conn = self.conn();
        let since: Option<i64> = conn
            .query_row(
                "SELECT since FROM tm_watch WHERE account = ?1 AND name = ?2",
                params![account, name],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.fail(&e))?
            .flatten();
        let mut stmt = conn
            .prepare(
                "SELECT tracking, status FROM tm_watch_status WHERE account = ?1 AND name = ?2",
            )
            .map_err(|e| self.fail(&e))?;
        let statuses = stmt
            .query_map(params![account, name], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .and_then(Iterator::collect::<Result<HashMap<_, _>, _>>)
            .map_err(|e| self.fail(&e))?;
        Ok((since, statuses))
    }

    /// Keeps what one poll moved: the cursor's time and the statuses that changed.
    pub fn save_cursor(
        &self,
        account: &str,
        name: &str,
        since: Option<i64>,
        changed: &[(String, String)],
    ) -> Result<(), Failure> {
        self.transaction(|conn| {
            conn.execute(
                "INSERT INTO tm_watch (account, name, since) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account, name) DO UPDATE SET since = ?3",
                params![account, name, since],
            )
            .map_err(|e| self.fail(&e))?;
            let mut stmt = conn
                .prepare_cached(
                    "INSERT INTO tm_watch_status (account, name, tracking, status)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (account, name, tracking) DO UPDATE SET status = ?4",
                )
                .map_err(|e| self.fail(&e))?;
            for (tracking, status) in changed {
                stmt.execute(params![account, name, tracking, status])
                    .map_err(|e| self.fail(&e))?;
            }
            Ok(())
        })
    }
}

fn migrate(conn: &Connection, path: &Path) -> Result<(), Failure> {
    let fail = |e: &rusqlite::Error| failure(path, e);
    conn.execute_batch("CREATE TABLE IF NOT EXISTS tm_schema (version INTEGER NOT NULL)")
        .map_err(|e| fail(&e))?;
    let version: Option<i64> = conn
        .query_row("SELECT max(version) FROM tm_schema", [], |r| r.get(0))
        .map_err(|e| fail(&e))?;
    let version = version.unwrap_or(0).max(0) as usize;
    if version > MIGRATIONS.len() {
        return Err(Failure::State(format!(
            "{}: written by a newer tm (schema {version}; this one knows up to {}): use that \
             version, or another --state-db",
            path.display(),
            MIGRATIONS.len()
        )));
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(version) {
        conn.execute_batch(step).map_err(|e| fail(&e))?;
        conn.execute_batch(&format!(
            "DELETE FROM tm_schema; INSERT INTO tm_schema (version) VALUES ({})",
            i + 1
        ))
        .map_err(|e| fail(&e))?;
    }
    Ok(())
}

/// A failure of the state database at `path`, naming the file and the cause (and what to do
/// about a damaged file).
fn failure(path: &Path, e: &rusqlite::Error) -> Failure {
    let hint = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            ": the file is damaged or not a tm database; `tm --sandbox reset` moves it aside \
             (keeping a copy) and starts afresh"
        }
        Some(ErrorCode::CannotOpen) => ": cannot open or create it (is its directory writable?)",
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            ": another process kept it locked for too long"
        }
        _ => "",
    };
    Failure::State(format!(
        "could not keep tm's state in {}: {e}{hint}",
        path.display()
    ))
}

/// Outcome counts of a journal.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Rows the API created.
    pub created: usize,
    /// Rows the API said already existed.
    pub already_exists: usize,
    /// Rows the API (or the client's checks) refused.
    pub rejected: usize,
}

impl Counts {
    /// Rows with a final outcome.
    pub fn done(&self) -> usize {
        self.created + self.already_exists + self.rejected
    }
}

/// The journal of one import: the final outcome of each row the API confirmed.
pub struct Journal<'a> {
    state: &'a State,
    id: i64,
}

impl Journal<'_> {
    /// The rows from `first` to `last` (inclusive) that have a final outcome.
    pub fn done_between(&self, first: u64, last: u64) -> Result<HashSet<u64>, Failure> {
        let s = self.state;
        let conn = s.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT row FROM tm_import_row WHERE import = ?1 AND row BETWEEN ?2 AND ?3",
            )
            .map_err(|e| s.fail(&e))?;
        stmt.query_map(params![self.id, first as i64, last as i64], |r| {
            r.get::<_, i64>(0)
        })
        .and_then(|rows| rows.map(|r| r.map(|n| n.max(0) as u64)).collect())
        .map_err(|e| s.fail(&e))
    }

    /// Keeps `entries` (one transaction: all or none).
    pub fn record(&self, entries: &[JournalEntry]) -> Result<(), Failure> {
        let s = self.state;
        s.transaction(|conn| {
            let mut stmt = conn
                .prepare_cached(
                    "INSERT INTO tm_import_row
                        (import, row, carrier_code, tracking_number, outcome, reason)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (import, row) DO UPDATE SET outcome = ?5, reason = ?6",
                )
                .map_err(|e| s.fail(&e))?;
            for e in entries {
                stmt.execute(params![
                    self.id,
                    e.row as i64,
                    e.carrier,
                    e.number,
                    e.outcome.label(),
                    e.reason
                ])
                .map_err(|e| s.fail(&e))?;
            }
            Ok(())
        })
    }

    /// How many rows have each final outcome.
    pub fn counts(&self) -> Result<Counts, Failure> {
        let s = self.state;
        let conn = s.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT outcome, count(*) FROM tm_import_row WHERE import = ?1 GROUP BY outcome",
            )
            .map_err(|e| s.fail(&e))?;
        let rows = stmt
            .query_map([self.id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|e| s.fail(&e))?;
        let mut counts = Counts::default();
        for (outcome, n) in rows {
            let n = n.max(0) as usize;
            match outcome.as_str() {
                "created" => counts.created += n,
                "already_exists" => counts.already_exists += n,
                _ => counts.rejected += n,
            }
        }
        Ok(counts)
    }

    /// Every rejected or invalid row, in row order.
    pub fn rejected(
        &self,
        mut each: impl FnMut(JournalEntry) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        let s = self.state;
        let conn = s.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT row, carrier_code, tracking_number, outcome, reason FROM tm_import_row
                 WHERE import = ?1 AND outcome IN ('rejected', 'invalid') ORDER BY row",
            )
            .map_err(|e| s.fail(&e))?;
        let mut rows = stmt.query([self.id]).map_err(|e| s.fail(&e))?;
        while let Some(r) = rows.next().map_err(|e| s.fail(&e))? {
            let entry = (|| {
                let outcome: String = r.get(3)?;
                Ok::<_, rusqlite::Error>(JournalEntry::new(
                    r.get::<_, i64>(0)?.max(0) as u64,
                    &r.get::<_, String>(1)?,
                    &r.get::<_, String>(2)?,
                    Outcome::from_label(&outcome).unwrap_or(Outcome::Rejected),
                    r.get(4)?,
                ))
            })()
            .map_err(|e| s.fail(&e))?;
            each(entry)?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl tm_core::account::Journal for Journal<'_> {
    async fn done_between(&self, first: u64, last: u64) -> Result<HashSet<u64>, JournalError> {
        Journal::done_between(self, first, last).map_err(|f| JournalError(f.message()))
    }

    async fn record(&self, entries: &[JournalEntry]) -> Result<(), JournalError> {
        Journal::record(self, entries).map_err(|f| JournalError(f.message()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_named_by_generation_url_and_a_hash_of_the_key_never_the_key() {
        let a = account_key(
            "v2",
            "https://api.trackingmore.com/v2",
            "secret-key-1",
            None,
        );
        let b = account_key(
            "v2",
            "https://api.trackingmore.com/v2",
            "secret-key-2",
            None,
        );
        let c = account_key(
            "v4",
            "https://api.trackingmore.com/v2",
            "secret-key-1",
            None,
        );
        assert!(!a.contains("secret-key-1"));
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_ne!(
            account_key("v2", "", "", Some("aaaa")),
            account_key("v2", "", "", Some("bbbb")),
            "a reset sandbox is another account"
        );
    }

    #[test]
    fn a_journal_keeps_outcomes_per_account_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(&dir.path().join("tm.db")).unwrap();
        let j = state.journal("acct-a", "file-1", "orders.csv").unwrap();
        let entry = |row: u64, outcome: Outcome| {
            JournalEntry::new(
                row,
                "ups",
                &format!("N{row}"),
                outcome,
                (outcome == Outcome::Rejected).then(|| "4014".into()),
            )
        };
        j.record(&[
            entry(1, Outcome::Created),
            entry(2, Outcome::Rejected),
            entry(4, Outcome::AlreadyExists),
        ])
        .unwrap();
        assert_eq!(
            j.done_between(1, 3).unwrap(),
            HashSet::from([1, 2]),
            "row 3 was never confirmed"
        );
        assert_eq!(
            j.counts().unwrap(),
            Counts {
                created: 1,
                already_exists: 1,
                rejected: 1
            }
        );
        let mut rejected = Vec::new();
        j.rejected(|e| {
            rejected.push(e);
            Ok(())
        })
        .unwrap();
        assert_eq!(rejected, vec![entry(2, Outcome::Rejected)]);
        // Another account, or another file, starts empty.
        let other = state.journal("acct-b", "file-1", "orders.csv").unwrap();
        assert_eq!(other.counts().unwrap().done(), 0);
        let changed = state.journal("acct-a", "file-2", "orders.csv").unwrap();
        assert_eq!(changed.counts().unwrap().done(), 0);
        // The same account and file, reopened: the same journal.
        drop(state);
        let state = State::open(&dir.path().join("tm.db")).unwrap();
        let again = state.journal("acct-a", "file-1", "renamed.csv").unwrap();
        assert_eq!(again.counts().unwrap().done(), 3);
        state.forget_accounts("acct-a").unwrap();
        let forgotten = state.journal("acct-a", "file-1", "orders.csv").unwrap();
        assert_eq!(forgotten.counts().unwrap().done(), 0);
    }

    #[test]
    fn a_cursor_keeps_its_time_and_the_statuses_that_changed() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(&dir.path().join("tm.db")).unwrap();
        assert_eq!(
            state.cursor("a", "default").unwrap(),
            (None, HashMap::new())
        );
        state
            .save_cursor(
                "a",
                "default",
                Some(10),
                &[("ups:1".into(), "transit".into())],
            )
            .unwrap();
        state
            .save_cursor(
                "a",
                "default",
                Some(20),
                &[("ups:1".into(), "delivered".into())],
            )
            .unwrap();
        let (since, statuses) = state.cursor("a", "default").unwrap();
        assert_eq!(since, Some(20));
        assert_eq!(statuses.get("ups:1").map(String::as_str), Some("delivered"));
        assert_eq!(
            state.cursor("a", "other").unwrap().0,
            None,
            "names are apart"
        );
        assert_eq!(
            state.cursor("b", "default").unwrap().0,
            None,
            "accounts are apart"
        );
    }

    #[test]
    fn a_file_that_is_not_a_database_is_named_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tm.db");
        std::fs::write(&path, vec![7u8; 4096]).unwrap();
        let Err(Failure::State(message)) = State::open(&path) else {
            panic!("opened a damaged file");
        };
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("tm --sandbox reset"), "{message}");
    }
}
