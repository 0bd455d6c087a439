//! The account in a SQLite database: what makes a simulator's state survive a crash and be
//! shared by every process that opens the same file.
//!
//! Each request's store access is one transaction (`BEGIN IMMEDIATE`: one writer at a time,
//! across processes, readers never blocked), committed before the answer is sent. Rows carry
//! a revision (`rev`): a process that sees another connection committed (`PRAGMA
//! data_version`) reads only the rows newer than the last revision it knew. A deleted tracking
//! keeps its row without a body, because its id and first creation time outlive it.
//!
//! WAL mode with `synchronous=NORMAL`: a commit survives the process being killed at any
//! moment; a power loss may lose the last commits (never corrupt the file). The schema is
//! versioned in `sim_schema`, its own table, so the file can hold other owners' tables (the
//! `tm` command keeps its import journal and watch cursors beside the sandbox).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OptionalExtension, params};
use serde::Deserialize;

use crate::clock::Anchor;
use crate::store::{Account, Key, StoredTracking, key};
use crate::{SimError, StateProblem};

/// How long a transaction waits for another process's write to finish before it gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// The schema, one step per version; a database at version N has had the first N applied.
const MIGRATIONS: &[&str] = &[
    // 1: the account's counters and clock, and every tracking ever created.
    "CREATE TABLE sim_account (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        instance TEXT NOT NULL,
        rev INTEGER NOT NULL,
        next_seq INTEGER NOT NULL,
        quota_used_fifths INTEGER NOT NULL,
        registered_secs INTEGER NOT NULL,
        clock_real_ms INTEGER NOT NULL,
        clock_sim_ms INTEGER NOT NULL,
        clock_scale REAL,
        carried_over TEXT
    );
    CREATE TABLE sim_tracking (
        carrier TEXT NOT NULL,
        number TEXT NOT NULL,
        id TEXT NOT NULL,
        first_created_ms INTEGER NOT NULL,
        rev INTEGER NOT NULL,
        body TEXT,
        PRIMARY KEY (carrier, number)
    ) WITHOUT ROWID;
    CREATE INDEX sim_tracking_rev ON sim_tracking (rev);
    CREATE INDEX sim_tracking_id ON sim_tracking (id);",
];

/// One tracking row: the tracking (none once deleted) and when its key was first created.
#[derive(Debug)]
pub(crate) struct Row {
    pub key: Key,
    pub tracking: Option<StoredTracking>,
    pub first_created_ms: i64,
}

/// What another process changed since this one last looked.
#[derive(Debug)]
pub(crate) enum News {
    /// Nothing.
    None,
    /// The account row and the tracking rows newer than the last revision seen.
    Changed {
        account: Account,
        anchor: Anchor,
        rows: Vec<Row>,
    },
    /// The account was reset (a new instance): everything cached is void.
    Reset { account: Account, anchor: Anchor },
}

/// How a new account starts when the database has none.
#[derive(Debug, Clone)]
pub(crate) struct Fresh {
    /// Simulated now (Unix ms) for a new account's clock.
    pub sim_ms: i64,
    /// The clock's speed (`None`: manual).
    pub scale: Option<f64>,
    /// An older simulator's JSON state file to carry over once.
    pub carry_over: Option<PathBuf>,
}

/// An open database.
pub(crate) struct Db {
    conn: Connection,
    path: PathBuf,
    /// `PRAGMA data_version` when this connection last synchronised (`None`: never, or the
    /// cache was dropped).
    data_version: Option<i64>,
    /// The newest revision this connection has seen.
    rev: i64,
    /// The account instance this connection has seen.
    instance: String,
    in_tx: bool,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("path", &self.path)
            .field("rev", &self.rev)
            .finish_non_exhaustive()
    }
}

/// What went wrong, in words a user can act on, with its kind.
pub(crate) fn describe(e: &rusqlite::Error) -> (StateProblem, String) {
    let text = e.to_string();
    match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => (StateProblem::Full, format!("the disk is full ({text})")),
        Some(ErrorCode::ReadOnly) => (
            StateProblem::ReadOnly,
            format!("the database or its directory is read-only ({text})"),
        ),
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => (
            StateProblem::ReadOnly,
            format!("cannot open or create it: is its directory writable? ({text})"),
        ),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => (
            StateProblem::Locked,
            format!(
                "another process kept the database locked for more than {} s ({text})",
                BUSY_TIMEOUT.as_secs()
            ),
        ),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => (
            StateProblem::Damaged,
            format!("the file is damaged or not a database ({text})"),
        ),
        _ => (StateProblem::Other, text),
    }
}

impl Db {
    fn fail(&self, e: &rusqlite::Error) -> SimError {
        fail_at(&self.path, e)
    }

    /// Opens (creating if needed) the database at `path`, brings its schema up to date and
    /// makes sure it holds an account (a new one from `fresh`, or the carried-over file's).
    /// Returns the database and the account's clock anchor.
    pub fn open(path: &Path, fresh: &Fresh) -> Result<(Db, Anchor), SimError> {
        let at = |e: &rusqlite::Error| fail_at(path, e);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| SimError::State {
                path: path.to_owned(),
                problem: StateProblem::from_io(&e),
                message: format!("cannot create its directory {}: {e}", dir.display()),
            })?;
        }
        let conn = Connection::open(path).map_err(|e| at(&e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| at(&e))?;
        // WAL: readers never wait for the writer; NORMAL: durable against a process crash.
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(|e| at(&e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(SimError::State {
                path: path.to_owned(),
                problem: StateProblem::Other,
                message: format!("could not switch to WAL mode (the file system gave {mode})"),
            });
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| at(&e))?;
        let mut db = Db {
            conn,
            path: path.to_owned(),
            data_version: None,
            rev: 0,
            instance: String::new(),
            in_tx: false,
        };
        db.exec("BEGIN IMMEDIATE")?;
        db.in_tx = true;
        let result = db.prepare_account(fresh);
        match result {
            Ok(anchor) => {
                db.commit()?;
                Ok((db, anchor))
            }
            Err(e) => {
                db.rollback();
                Err(e)
            }
        }
    }

    fn exec(&self, sql: &str) -> Result<(), SimError> {
        self.conn.execute_batch(sql).map_err(|e| self.fail(&e))
    }

    /// Inside the opening transaction: the schema, then the account.
    fn prepare_account(&mut self, fresh: &Fresh) -> Result<Anchor, SimError> {
        self.migrate()?;
        if self.account_row()?.is_none() {
            let legacy = match &fresh.carry_over {
                Some(p) => carried_copy(p, &self.path)?,
                None => None,
            };
            match legacy {
                Some((file, state)) => self.carry_over(&file, state, fresh)?,
                None => {
                    let account = Account {
                        registered_secs: fresh.sim_ms.div_euclid(1000),
                        ..Account::default()
                    };
                    let anchor = Anchor::now(fresh.sim_ms, fresh.scale);
                    self.insert_account(&new_instance(&self.path), &account, &anchor, None)?;
                }
            }
        }
        // An existing account keeps its clock (time and speed): one clock for every process
        // sharing the file, whatever each was started with.
        let (instance, rev, _, anchor) = self
            .account_row()?
            .ok_or_else(|| self.other("the account row vanished while it was being created"))?;
        self.instance = instance;
        self.rev = rev;
        Ok(anchor)
    }

    fn other(&self, message: &str) -> SimError {
        SimError::State {
            path: self.path.clone(),
            problem: StateProblem::Other,
            message: message.to_owned(),
        }
    }

    fn migrate(&self) -> Result<(), SimError> {
        self.exec("CREATE TABLE IF NOT EXISTS sim_schema (version INTEGER NOT NULL)")?;
        let version: Option<i64> = self
            .conn
            .query_row("SELECT max(version) FROM sim_schema", [], |r| r.get(0))
            .map_err(|e| self.fail(&e))?;
        let version = version.unwrap_or(0).max(0) as usize;
        if version > MIGRATIONS.len() {
            return Err(SimError::State {
                path: self.path.clone(),
                problem: StateProblem::Newer,
                message: format!(
                    "written by a newer simulator (schema {version}; this one knows up to {})",
                    MIGRATIONS.len()
                ),
            });
        }
        for (i, step) in MIGRATIONS.iter().enumerate().skip(version) {
            self.exec(step)?;
            self.exec(&format!(
                "DELETE FROM sim_schema; INSERT INTO sim_schema (version) VALUES ({})",
                i + 1
            ))?;
        }
        Ok(())
    }

    /// `(instance, rev, counters, clock)` of the account, if there is one.
    fn account_row(&self) -> Result<Option<(String, i64, Account, Anchor)>, SimError> {
        self.conn
            .prepare_cached(
                "SELECT instance, rev, next_seq, quota_used_fifths, registered_secs,
                        clock_real_ms, clock_sim_ms, clock_scale
                 FROM sim_account WHERE id = 1",
            )
            .and_then(|mut s| {
                s.query_row([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        Account {
                            next_seq: r.get::<_, i64>(2)?.max(0) as u64,
                            quota_used_fifths: r.get(3)?,
                            registered_secs: r.get(4)?,
                        },
                        Anchor {
                            real_ms: r.get(5)?,
                            sim_ms: r.get(6)?,
                            scale: r.get(7)?,
                        },
                    ))
                })
                .optional()
            })
            .map_err(|e| self.fail(&e))
    }

    fn insert_account(
        &self,
        instance: &str,
        account: &Account,
        anchor: &Anchor,
        carried_over: Option<&Path>,
    ) -> Result<(), SimError> {
        self.conn
            .execute(
                "INSERT INTO sim_account (id, instance, rev, next_seq, quota_used_fifths,
                    registered_secs, clock_real_ms, clock_sim_ms, clock_scale, carried_over)
                 VALUES (1, ?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    instance,
                    account.next_seq as i64,
                    account.quota_used_fifths,
                    account.registered_secs,
                    anchor.real_ms,
                    anchor.sim_ms,
                    anchor.scale,
                    carried_over.map(|p| p.display().to_string()),
                ],
            )
            .map(drop)
            .map_err(|e| self.fail(&e))
    }

    /// Writes an older simulator's state as this account (inside the opening transaction).
    fn carry_over(&self, file: &Path, old: Legacy, fresh: &Fresh) -> Result<(), SimError> {
        // The clock went on while nothing ran, as the old loader had it.
        let sim_ms = match (old.saved_sim_ms, old.saved_real_ms, fresh.scale) {
            (Some(sim), Some(real), Some(scale)) => {
                sim + ((crate::clock::real_now_ms() - real).max(0) as f64 * scale) as i64
            }
            (Some(sim), _, None) => sim,
            _ => fresh.sim_ms,
        };
        let account = Account {
            next_seq: old.next_seq,
            quota_used_fifths: old.quota_used_fifths,
            registered_secs: old.registered_secs,
        };
        self.insert_account(
            &new_instance(&self.path),
            &account,
            &Anchor::now(sim_ms, fresh.scale),
            Some(file),
        )?;
        for (carrier, number, ms) in &old.first_created {
            self.put_row(&(carrier.clone(), number.clone()), None, *ms, 1)?;
        }
        for t in &old.trackings {
            let k = key(&t.carrier_code, &t.tracking_number);
            let first = old
                .first_created
                .iter()
                .find(|(c, n, _)| (c, n) == (&k.0, &k.1))
                .map_or(t.created_ms, |(_, _, ms)| *ms);
            self.put_row(&k, Some(t), first, 1)?;
        }
        tracing::info!(
            from = %file.display(),
            trackings = old.trackings.len(),
            "carried an older state file over into the database"
        );
        Ok(())
    }

    /// Starts a request's transaction and says what other processes changed since the last
    /// one. A writing transaction takes the database's write lock at once (one writer at a
    /// time, across processes); a reading one reads a consistent snapshot and never waits.
    pub fn begin(&mut self, write: bool) -> Result<News, SimError> {
        self.exec(if write { "BEGIN IMMEDIATE" } else { "BEGIN" })?;
        self.in_tx = true;
        let version: i64 = self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))
            .map_err(|e| self.fail(&e))?;
        if self.data_version == Some(version) {
            return Ok(News::None);
        }
        self.data_version = Some(version);
        let (instance, rev, account, anchor) = self
            .account_row()?
            .ok_or_else(|| self.other("the account row is missing"))?;
        if instance != self.instance {
            self.instance = instance;
            self.rev = rev;
            return Ok(News::Reset { account, anchor });
        }
        let rows = if rev > self.rev {
            self.rows_where("rev > ?1", self.rev)?
        } else {
            Vec::new()
        };
        self.rev = rev;
        Ok(News::Changed {
            account,
            anchor,
            rows,
        })
    }

    fn rows_where(
        &self,
        condition: &str,
        value: impl rusqlite::ToSql,
    ) -> Result<Vec<Row>, SimError> {
        let sql = format!(
            "SELECT carrier, number, first_created_ms, body FROM sim_tracking WHERE {condition}"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.fail(&e))?;
        let raw = stmt
            .query_map([value], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|e| self.fail(&e))?;
        raw.into_iter()
            .map(|(carrier, number, first, body)| {
                let tracking = body
                    .map(|b| {
                        serde_json::from_str::<StoredTracking>(&b).map_err(|e| SimError::State {
                            path: self.path.clone(),
                            problem: StateProblem::Damaged,
                            message: format!("the row of {carrier} {number} does not read: {e}"),
                        })
                    })
                    .transpose()?;
                Ok(Row {
                    key: (carrier, number),
                    tracking,
                    first_created_ms: first,
                })
            })
            .collect()
    }

    /// The row of `k`, if its key was ever created.
    pub fn row(&self, k: &Key) -> Result<Option<Row>, SimError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT first_created_ms, body FROM sim_tracking WHERE carrier = ?1 AND number = ?2",
            )
            .map_err(|e| self.fail(&e))?;
        let found = stmt
            .query_row(params![k.0, k.1], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .optional()
            .map_err(|e| self.fail(&e))?;
        let Some((first, body)) = found else {
            return Ok(None);
        };
        let tracking = body
            .map(|b| serde_json::from_str::<StoredTracking>(&b))
            .transpose()
            .map_err(|e| SimError::State {
                path: self.path.clone(),
                problem: StateProblem::Damaged,
                message: format!("the row of {} {} does not read: {e}", k.0, k.1),
            })?;
        Ok(Some(Row {
            key: k.clone(),
            tracking,
            first_created_ms: first,
        }))
    }

    /// The live tracking with this id (ids compare without case).
    pub fn row_by_id(&self, id: &str) -> Result<Option<Row>, SimError> {
        Ok(self
            .rows_where("id = lower(?1) AND body IS NOT NULL", id)?
            .into_iter()
            .next())
    }

    /// Every row.
    pub fn all_rows(&self) -> Result<Vec<Row>, SimError> {
        self.rows_where("?1", 1)
    }

    /// How many trackings exist.
    pub fn count(&self) -> Result<usize, SimError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM sim_tracking WHERE body IS NOT NULL",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as usize)
            .map_err(|e| self.fail(&e))
    }

    /// Writes one row at revision `rev` (`None`: deleted, keeping its id and first creation).
    pub fn put_row(
        &self,
        k: &Key,
        t: Option<&StoredTracking>,
        first_created_ms: i64,
        rev: i64,
    ) -> Result<(), SimError> {
        let body = t
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| self.other(&e.to_string()))?;
        let id = t.map(|t| t.id.to_ascii_lowercase());
        self.conn
            .prepare_cached(
                "INSERT INTO sim_tracking (carrier, number, id, first_created_ms, rev, body)
                 VALUES (?1, ?2, coalesce(?3, ''), ?4, ?5, ?6)
                 ON CONFLICT (carrier, number) DO UPDATE SET
                    id = coalesce(?3, id), first_created_ms = ?4, rev = ?5, body = ?6",
            )
            .and_then(|mut s| s.execute(params![k.0, k.1, id, first_created_ms, rev, body]))
            .map(drop)
            .map_err(|e| self.fail(&e))
    }

    /// Writes the account's counters and clock at revision `rev`.
    pub fn put_account(
        &self,
        account: &Account,
        anchor: &Anchor,
        rev: i64,
    ) -> Result<(), SimError> {
        self.conn
            .prepare_cached(
                "UPDATE sim_account SET rev = ?1, next_seq = ?2, quota_used_fifths = ?3,
                    registered_secs = ?4, clock_real_ms = ?5, clock_sim_ms = ?6, clock_scale = ?7
                 WHERE id = 1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    rev,
                    account.next_seq as i64,
                    account.quota_used_fifths,
                    account.registered_secs,
                    anchor.real_ms,
                    anchor.sim_ms,
                    anchor.scale,
                ])
            })
            .map(drop)
            .map_err(|e| self.fail(&e))
    }

    /// Forgets every tracking and starts a new account instance (inside a transaction).
    pub fn reset(&mut self, account: &Account, anchor: &Anchor) -> Result<(), SimError> {
        let instance = new_instance(&self.path);
        self.exec("DELETE FROM sim_tracking")?;
        self.conn
            .execute(
                "UPDATE sim_account SET instance = ?1 WHERE id = 1",
                [&instance],
            )
            .map_err(|e| self.fail(&e))?;
        self.put_account(account, anchor, self.rev + 1)?;
        self.instance = instance;
        self.rev += 1;
        Ok(())
    }

    /// The newest revision this connection knows.
    pub fn rev(&self) -> i64 {
        self.rev
    }

    /// The account instance: a new one at each reset.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Commits the transaction; the revision `rev` (if something was written) is now known.
    pub fn commit_at(&mut self, rev: Option<i64>) -> Result<(), SimError> {
        self.commit()?;
        if let Some(rev) = rev {
            self.rev = rev;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), SimError> {
        if !self.in_tx {
            return Ok(());
        }
        match self.conn.execute_batch("COMMIT") {
            Ok(()) => {
                self.in_tx = false;
                Ok(())
            }
            Err(e) => {
                let err = self.fail(&e);
                self.rollback();
                Err(err)
            }
        }
    }

    /// Rolls the transaction back; the next `begin` reads the account again.
    pub fn rollback(&mut self) {
        if self.in_tx {
            if let Err(e) = self.conn.execute_batch("ROLLBACK") {
                // A failed statement may have ended the transaction already.
                tracing::debug!(error = %e, "rollback");
            }
            self.in_tx = false;
        }
        self.data_version = None;
    }
}

fn fail_at(path: &Path, e: &rusqlite::Error) -> SimError {
    let (problem, message) = describe(e);
    SimError::State {
        path: path.to_owned(),
        problem,
        message,
    }
}

/// A new account instance: unique per database and reset (time, process, file).
fn new_instance(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(path.as_os_str().as_encoded_bytes());
    hex::encode(&h.finalize()[..16])
}

/// What [`reset_file`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reset {
    /// Where what the file held is kept: a copy of it, or the damaged file itself.
    pub backup: PathBuf,
    /// The account instance the reset replaced (`None` when the file was damaged).
    pub previous_instance: Option<String>,
}

/// A free name beside `path` for a copy of it: `PATH.<unix seconds>.bak` (`-1`, `-2`, … if
/// taken).
pub fn backup_name(path: &Path) -> PathBuf {
    let secs = crate::clock::real_now_ms() / 1000;
    (0..)
        .map(|n| {
            let mut s = path.as_os_str().to_owned();
            if n == 0 {
                s.push(format!(".{secs}.bak"));
            } else {
                s.push(format!(".{secs}-{n}.bak"));
            }
            PathBuf::from(s)
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| path.with_extension("bak"))
}

/// Empties the account kept at `path`, after keeping a consistent copy of the whole file
/// beside it; a damaged file is moved there instead (with its WAL files), so the next start
/// creates a new one. The clock is kept (a new account gets `clock`). Other tables in the file
/// (the `tm` command's) stay. `Ok(None)` when there is no file.
pub fn reset_file(path: &Path, clock: crate::ClockMode) -> Result<Option<Reset>, SimError> {
    if !path.exists() {
        return Ok(None);
    }
    let backup = backup_name(path);
    let copied = Connection::open(path).and_then(|c| {
        c.busy_timeout(BUSY_TIMEOUT)?;
        c.execute("VACUUM INTO ?1", [backup.display().to_string()])
    });
    if let Err(e) = copied {
        if describe(&e).0 != StateProblem::Damaged {
            return Err(fail_at(path, &e));
        }
        let io = |e: std::io::Error| SimError::State {
            path: path.to_owned(),
            problem: StateProblem::from_io(&e),
            message: format!("cannot move the damaged file to {}: {e}", backup.display()),
        };
        std::fs::rename(path, &backup).map_err(io)?;
        for companion in ["-wal", "-shm"] {
            let mut from = path.as_os_str().to_owned();
            from.push(companion);
            let mut to = backup.as_os_str().to_owned();
            to.push(companion);
            match std::fs::rename(&from, &to) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
                _ => {}
            }
        }
        return Ok(Some(Reset {
            backup,
            previous_instance: None,
        }));
    }
    let (mut db, anchor) = Db::open(
        path,
        &Fresh {
            sim_ms: crate::clock::real_now_ms(),
            scale: clock.scale(),
            carry_over: None,
        },
    )?;
    let previous = db.instance().to_owned();
    db.begin(true)?;
    let account = Account {
        registered_secs: anchor.sim_now().div_euclid(1000),
        ..Account::default()
    };
    if let Err(e) = db.reset(&account, &anchor) {
        db.rollback();
        return Err(e);
    }
    db.commit_at(None)?;
    Ok(Some(Reset {
        backup,
        previous_instance: Some(previous),
    }))
}

/// The JSON state file of simulators before the database.
#[derive(Debug, Deserialize)]
pub(crate) struct Legacy {
    #[serde(default)]
    next_seq: u64,
    #[serde(default)]
    trackings: Vec<StoredTracking>,
    #[serde(default)]
    first_created: Vec<(String, String, i64)>,
    #[serde(default)]
    quota_used_fifths: i64,
    #[serde(default)]
    registered_secs: i64,
    #[serde(default)]
    saved_sim_ms: Option<i64>,
    #[serde(default)]
    saved_real_ms: Option<i64>,
}

/// True when the file at `path` is an older simulator's JSON state rather than a database.
pub fn is_legacy_json(path: &Path) -> bool {
    use std::io::Read;
    let mut first = [0u8; 1];
    std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut first))
        .is_ok_and(|n| n == 1 && first[0] == b'{')
}

/// The name an older state file is kept under once carried over.
pub(crate) fn carried_name(legacy: &Path) -> PathBuf {
    let mut s = legacy.as_os_str().to_owned();
    s.push(".imported");
    PathBuf::from(s)
}

/// The older state to carry over: `legacy` is first renamed to its carried-over name (so it
/// is read once, and a crash before the commit finds it there again), then read.
fn carried_copy(legacy: &Path, db: &Path) -> Result<Option<(PathBuf, Legacy)>, SimError> {
    let kept = carried_name(legacy);
    let fail = |path: &Path, problem, message: String| SimError::State {
        path: path.to_owned(),
        problem,
        message,
    };
    if is_legacy_json(legacy) {
        std::fs::rename(legacy, &kept).map_err(|e| {
            fail(
                db,
                StateProblem::from_io(&e),
                format!(
                    "cannot rename {} to {}: {e}",
                    legacy.display(),
                    kept.display()
                ),
            )
        })?;
    }
    let bytes = match std::fs::read(&kept) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(fail(
                &kept,
                StateProblem::from_io(&e),
                format!("cannot read the older state file: {e}"),
            ));
        }
    };
    let old: Legacy = serde_json::from_slice(&bytes).map_err(|e| {
        fail(
            &kept,
            StateProblem::Damaged,
            format!("the older state file does not read ({e}); move it away to start afresh"),
        )
    })?;
    Ok(Some((kept, old)))
}
