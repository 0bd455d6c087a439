//! Saving and loading the state file, so a restart (and the CLI's sandbox) keeps every tracking
//! and simulated time moves on in between.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::state::Sim;
use crate::store::Store;

/// Real Unix milliseconds.
pub fn real_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Reads a state file; a missing file is an empty state.
pub fn load(path: &Path) -> Result<Option<Store>, crate::SimError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| crate::SimError::State {
                path: path.to_owned(),
                message: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(crate::SimError::State {
            path: path.to_owned(),
            message: e.to_string(),
        }),
    }
}

/// Writes the state file (atomically: a temporary file renamed over it). `Ok(None)` when no
/// file is configured.
pub fn save(sim: &Sim) -> Result<Option<PathBuf>, crate::SimError> {
    let Some(path) = sim.config.state_file.clone() else {
        return Ok(None);
    };
    let text = {
        let mut st = sim.store();
        st.saved_sim_ms = Some(sim.clock.now_ms());
        st.saved_real_ms = Some(real_now_ms());
        serde_json::to_vec(&*st)
    }
    .map_err(|e| crate::SimError::State {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let fail = |e: std::io::Error| crate::SimError::State {
        path: path.clone(),
        message: e.to_string(),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(fail)?;
    std::fs::rename(&tmp, &path).map_err(fail)?;
    Ok(Some(path))
}
