//! Finding the workspace (`-w DIR`, `KEFU_WORKSPACE`, or the current
//! directory), loading its `kefu.toml`, opening its store, and creating a new
//! workspace for `kefu init`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono_tz::Tz;

use crate::config::{self, Config};
use crate::render::output::OutputFile;
use crate::store::{Store, TimezoneSync};

/// File names inside a workspace directory.
pub const CONFIG_FILE: &str = "kefu.toml";
pub const STORE_FILE: &str = "kefu.db";
pub const REJECTS_DIR: &str = "rejects";

/// A workspace directory with its configuration.
pub struct Workspace {
    pub dir: PathBuf,
    pub config: Config,
    pub tz: Tz,
    /// `-q`: print no notices on stderr (opening the store prints one when
    /// the timezone changed).
    pub quiet: bool,
}

impl Workspace {
    /// Loads the workspace at `dir` (default: the current directory);
    /// `quiet` is `-q`.
    pub fn load(dir: Option<&Path>, quiet: bool) -> Result<Workspace> {
        let dir = dir
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        // A link on the way that cannot be followed (a loop) is no missing
        // store, which `kefu init` would make (found by exploratory testing).
        let link: PathBuf = dir.components().collect();
        if let Some((a, why)) = link
            .ancestors()
            .find_map(|a| crate::render::output::unfollowable(a).map(|why| (a, why)))
        {
            anyhow::bail!(
                "cannot use the workspace {}: {} is a symbolic link that cannot be followed ({why})",
                dir.display(),
                a.display()
            );
        }
        let config_path = dir.join(CONFIG_FILE);
        // Before anything reads it (found by exploratory testing: beside a
        // store, a pipe hung every command and `/dev/zero` was read until
        // memory ran out).
        config::check_settings_file(&config_path)?;
        // A link to settings that are not there is no workspace without
        // settings (the defaults read in their place, or "missing" said of
        // a file that is there as a link); `kefu init` writes them there.
        if config_path.is_symlink() && !config_path.exists() {
            anyhow::bail!(
                "{} is a symbolic link to {}, which does not exist: point it at the settings file, or run `kefu init {}` to write the default one there",
                config_path.display(),
                crate::render::output::written_path(&config_path).display(),
                dir.display()
            );
        }
        // A store without its kefu.toml (copied without it, deleted) would
        // be read with every default, and re-cut to the default timezone
        // without a word (found by exploratory testing).
        if !config_path.exists() && dir.join(STORE_FILE).exists() {
            anyhow::bail!(
                "{} is missing beside the store {}: restore it, or run `kefu init {}` to write the default one (its timezone is {})",
                config_path.display(),
                dir.join(STORE_FILE).display(),
                dir.display(),
                Config::default().workspace.timezone
            );
        }
        // Nor one emptied (a copy cut short, a full disk): every default,
        // the timezone too, with the store re-cut to it (found by
        // exploratory testing).
        if dir.join(STORE_FILE).exists() && is_empty_file(&config_path) {
            anyhow::bail!(
                "{} is empty beside the store {} (a copy cut short, a full disk?): restore it, or delete it and run `kefu init {}` to write the default one (its timezone is {})",
                config_path.display(),
                dir.join(STORE_FILE).display(),
                dir.display(),
                Config::default().workspace.timezone
            );
        }
        let config = Config::load(&config_path)?;
        crate::render::output::protect_settings(&config_path);
        let tz = crate::dates::parse_tz(&config.workspace.timezone)?;
        Ok(Workspace {
            dir,
            config,
            tz,
            quiet,
        })
    }

    pub fn store_path(&self) -> PathBuf {
        self.dir.join(STORE_FILE)
    }

    /// Opens the store, or explains how to create one. Says on stderr (unless
    /// quiet) what opening did if the workspace timezone had changed.
    pub fn open_store(&self) -> Result<Store> {
        self.open_store_with(TimezoneSync::Now)
    }

    /// [`Workspace::open_store`]; with [`TimezoneSync::Defer`] a timezone
    /// change is left for the caller (a dry run) or another connection.
    pub fn open_store_with(&self, sync: TimezoneSync) -> Result<Store> {
        let store = Store::open_with(
            &self.store_path(),
            self.tz,
            Duration::from_secs(self.config.workspace.busy_timeout_seconds),
            sync,
        )?;
        if let Some(from) = store.upgraded_from() {
            if !self.quiet {
                crate::say!(
                    "kefu: upgraded the store {} from schema version {from} to {} (a kefu older than this one can no longer open it)",
                    self.store_path().display(),
                    crate::store::latest_version()
                );
            }
        }
        if let Some(notice) = store.upgrade_notice() {
            if !self.quiet {
                crate::say!("kefu: the store was upgraded: {notice}");
            }
        }
        if let Some(change) = store.timezone_change() {
            if !self.quiet {
                crate::say!("kefu: {}", change.notice());
            }
        }
        Ok(store)
    }

    /// Where an import's rejects go when `--rejects` is not given.
    pub fn default_rejects_path(&self, kind: &str) -> PathBuf {
        let stamp = chrono::Utc::now()
            .with_timezone(&self.tz)
            .format("%Y%m%d-%H%M%S%.3f");
        // With the process id: two imports started in one millisecond
        // (cron jobs) must not write one file, one's rows lost.
        self.dir
            .join(REJECTS_DIR)
            .join(format!("{kind}-{stamp}-{}.csv", std::process::id()))
    }
}

/// Creates `dir/kefu.toml` (unless it exists) and `dir/kefu.db`. Returns the
/// paths written. `quiet` is `-q`.
pub fn init(dir: &Path, quiet: bool) -> Result<Vec<PathBuf>> {
    // A link to a directory not made yet: the directory it leads to is made,
    // as the settings and the store are made at the end of their links.
    crate::render::output::make_dir(dir, true)?;
    // A store file of 0 bytes is refused (see `Store::open`) before anything
    // is written beside it.
    let db = dir.join(STORE_FILE);
    if is_device_or_pipe(&db) {
        anyhow::bail!(
            "{} is not a file (a device or a pipe), not a kefu store",
            db.display()
        );
    }
    if std::fs::metadata(&db).is_ok_and(|m| m.len() == 0) {
        anyhow::bail!(
            "{} is empty (0 bytes), not a kefu store: restore it from a backup, or remove it and run kefu init to start an empty one",
            db.display()
        );
    }
    let mut written = vec![];
    // Through a symbolic link, the file it names (found by exploratory
    // testing: a link to an empty kefu.toml was replaced by a file).
    let config_path =
        std::fs::canonicalize(dir.join(CONFIG_FILE)).unwrap_or_else(|_| dir.join(CONFIG_FILE));
    // A device or a pipe is not a settings file (the defaults were renamed
    // over the device behind a link).
    config::check_settings_file(&dir.join(CONFIG_FILE))?;
    // A store with no settings beside it is checked first: no kefu.toml is
    // left beside another program's database (found by exploratory
    // testing). Its timezone is left alone (the settings decide it).
    if db.exists() && !config_path.exists() {
        Store::open_with(
            &db,
            chrono_tz::Asia::Shanghai,
            Duration::from_secs(5),
            TimezoneSync::Defer,
        )?;
    }
    // An empty kefu.toml with no store yet holds nothing to keep: it gets
    // the defaults, or every later command would refuse the workspace
    // (found by exploratory testing).
    // Its mode is kept (found by exploratory testing: 0640 became 0644).
    let mut empty_mode = None;
    if config_path.exists() && !db.exists() && is_empty_file(&config_path) {
        empty_mode = std::fs::metadata(&config_path)
            .ok()
            .map(|m| m.permissions());
        // Another `kefu init` at once may have removed it first.
        if let Err(e) = std::fs::remove_file(&config_path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                return Err(e).with_context(|| {
                    format!("cannot replace the empty {}", config_path.display())
                });
            }
        }
    }
    // Not over one another `kefu init` wrote meanwhile (found by
    // exploratory testing: four at once each said it created both, and one
    // could find the file there and refuse to overwrite it).
    let file = if config_path.exists() {
        None
    } else {
        match OutputFile::create(&config_path) {
            Ok(file) => Some(file),
            Err(_) if config_path.exists() => None,
            Err(e) => return Err(e),
        }
    };
    if let Some(mut file) = file {
        file.write_all(config::TEMPLATE.as_bytes())
            .with_context(|| format!("cannot write {}", config_path.display()))?;
        if file.commit_new()? {
            if let Some(mode) = empty_mode {
                std::fs::set_permissions(&config_path, mode)
                    .with_context(|| format!("cannot write {}", config_path.display()))?;
            }
            written.push(dir.join(CONFIG_FILE));
        }
    }
    let ws = Workspace::load(Some(dir), quiet)?;
    let store_path = ws.store_path();
    if store_path.exists() {
        // Opening migrates an older store to the current schema.
        ws.open_store()?;
    } else if Store::place_new(&store_path, ws.tz)? {
        written.push(store_path);
    } else {
        ws.open_store()?;
    }
    Ok(written)
}

/// Whether `path` (its links followed) is a device, a pipe or a socket:
/// never a workspace's kefu.toml or kefu.db (found by exploratory testing:
/// a link to a device read as an empty kefu.toml, and a pipe waited
/// forever).
pub fn is_device_or_pipe(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Whether a settings file is empty: no bytes, only blanks, or a byte-order
/// mark alone (UTF-8's, or UTF-16's with its NUL-padded blanks: found by
/// exploratory testing). False when it cannot be read.
fn is_empty_file(path: &Path) -> bool {
    // Only a regular file, and one small enough to be read as settings.
    let readable =
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() <= config::MAX_TOML_BYTES);
    readable
        && std::fs::read(path).is_ok_and(|b| {
            let rest = b
                .strip_prefix(b"\xEF\xBB\xBF")
                .or_else(|| b.strip_prefix(b"\xFF\xFE"))
                .or_else(|| b.strip_prefix(b"\xFE\xFF"))
                .unwrap_or(&b);
            rest.iter().all(|c| c.is_ascii_whitespace() || *c == 0)
        })
}
