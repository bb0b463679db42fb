//! Where output lands: stdout, or a file. Every file kefu writes goes
//! through [`OutputFile`] — `-o FILE` of reports and `classify`, the
//! statements of `bonus --statements`, an import's rejects, the trained
//! model, a new `kefu.toml` — so that there is one way to do it:
//!
//! - a regular file, or a name not taken yet, is written atomically: into a
//!   temporary file beside it, renamed over it only once the whole output is
//!   written ([`OutputFile::commit`]). On any failure the temporary file is
//!   removed and the file named is untouched. A symlink is followed: the file
//!   it points to is replaced, and the link stays a link. A file the user
//!   may not write is refused (renaming needs only the directory's
//!   permission), and the temporary files of a kefu that was killed before
//!   it could remove them (`.NAME.PID.*.kefu-tmp`) are removed by the next
//!   write of NAME;
//! - a FIFO, a device or a socket (`/dev/stdout`, `/dev/null`, a named pipe)
//!   is written directly, with no temporary file: renaming over it would
//!   replace the device entry with a regular file. Its write errors (no space
//!   left on `/dev/full`) are errors like any other;
//! - a directory is an error ("X is a directory"), before anything is written.
//!
//! It neither chooses a format (`Format`, `RecordFormat`) nor renders.

use std::fs::{File, Permissions};
use std::io::{BufWriter, Stdout, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use tempfile::NamedTempFile;

/// Bytes buffered before they go to the file or stdout.
const BUFFER: usize = 256 * 1024;

/// Symlinks followed before giving up (the limit Linux uses).
const MAX_LINKS: usize = 40;
/// Said of links that go round in a loop (or a chain longer than
/// [`MAX_LINKS`]).
const LINK_LOOP: &str = "the links go round in a loop, or chain more than 40";

/// How a temporary file's name ends: `.NAME.PID.RANDOM.kefu-tmp`, beside NAME.
const TEMP_SUFFIX: &str = ".kefu-tmp";

/// Removes the temporary files in `dir` left by kefu processes that no
/// longer run (killed, or stopped by Ctrl-C, before they could clean up):
/// before each write, and in a directory kefu writes a new name in each
/// time (the workspace's `rejects/`, whose names carry the time), where no
/// later write of the same name would remove them. A process is known to
/// be gone when `/proc` has no entry for it; where there is no `/proc`,
/// nothing is removed.
///
/// A directory is looked through once per process: a command writing
/// thousands of files there (`bonus --statements`) would otherwise list it
/// once per file, time quadratic in the files (found by exploratory
/// testing: 8,000 statements took 23 s, 2,000 into a folder of 40,000
/// files 35 s).
pub fn remove_stale_temps_in(dir: &Path) {
    static SWEPT: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    let mut swept = SWEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if swept.iter().any(|d| d == dir) {
        return;
    }
    swept.push(dir.to_path_buf());
    drop(swept);
    remove_temps_of_gone_processes(dir);
}

/// Removes `dir`'s `.NAME.PID.RANDOM.kefu-tmp` files whose process is gone.
fn remove_temps_of_gone_processes(dir: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(rest) = file
            .to_str()
            .and_then(|f| f.strip_prefix('.'))
            .and_then(|f| f.strip_suffix(TEMP_SUFFIX))
        else {
            continue;
        };
        // NAME.PID.RANDOM (NAME may hold dots): the id second from the end.
        let pid = rest.rsplit('.').nth(1).and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid {
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Why `dir`, the directory a file is to be written in, cannot hold it:
/// it is not there, or it is a file (`--rejects r.csv/x.csv`). None when it
/// is a directory. Every output says it this way.
pub fn unusable_directory(dir: &Path) -> Option<String> {
    if dir.is_dir() {
        return None;
    }
    let shown = crate::ingest::path_text(dir);
    if dir.exists() {
        return Some(format!("{shown} is a file, not a directory"));
    }
    // A file further up (`r.csv/sub/x.csv`) is what is wrong, not a missing
    // directory a `mkdir -p` could make (found by exploratory testing).
    if let Some(file) = dir.ancestors().skip(1).find(|a| a.is_file()) {
        return Some(format!(
            "{} is a file, not a directory",
            crate::ingest::path_text(file)
        ));
    }
    Some(format!("there is no directory {shown}"))
}

/// Why `path`, a symbolic link, cannot be followed to a file or to the
/// place of one not made yet: its links go round in a loop, a step is no
/// directory, or one may not be searched. `None` for a path that is no
/// link, or whose links can be followed.
pub fn unfollowable(path: &Path) -> Option<String> {
    if !path.is_symlink() {
        return None;
    }
    match Destination::of(path) {
        Ok(_) => None,
        Err(e) if e.to_string() == LINK_LOOP => Some(LINK_LOOP.to_string()),
        Err(e) => Some(e.to_string()),
    }
}

/// Makes the directory `dir`, and with `parents` those above it that are
/// not there yet. A symbolic link to a directory not made yet makes the
/// directory it leads to; a link that cannot be followed or leads nowhere,
/// `dir` or one above it, is named (the system said "File exists" or "Too
/// many levels of symbolic links": found by exploratory testing).
pub fn make_dir(dir: &Path, parents: bool) -> Result<()> {
    let shown = crate::ingest::path_text(dir);
    let create = |d: &Path| {
        if parents {
            std::fs::create_dir_all(d)
        } else if d.is_dir() {
            Ok(())
        } else {
            std::fs::create_dir(d)
        }
    };
    // `ws/` is the link `ws`.
    let link: PathBuf = dir.components().collect();
    if link.is_symlink() && !link.exists() {
        if let Some(why) = unfollowable(&link) {
            bail!("cannot create {shown}: it is a symbolic link that cannot be followed ({why})");
        }
        let target = written_path(&link);
        return create(&target).with_context(|| {
            format!(
                "cannot create {}, the directory {shown} links to",
                crate::ingest::path_text(&target)
            )
        });
    }
    create(dir).map_err(|e| {
        let broken = link
            .ancestors()
            .skip(1)
            .filter(|a| !a.as_os_str().is_empty())
            .find(|a| a.is_symlink() && !a.exists());
        match broken {
            Some(a) => {
                let why = unfollowable(a).unwrap_or_else(|| {
                    format!(
                        "it leads to {}, which does not exist",
                        crate::ingest::path_text(&written_path(a))
                    )
                });
                anyhow::anyhow!(
                    "cannot create {shown}: {} is a symbolic link that cannot be followed ({why})",
                    crate::ingest::path_text(a)
                )
            }
            None => anyhow::Error::new(e).context(format!("cannot create {shown}")),
        }
    })
}

/// The file `path` writes, its symbolic links followed (itself when it is
/// no regular file or name not taken yet, or cannot be followed).
pub fn written_path(path: &Path) -> PathBuf {
    match Destination::of(path) {
        Ok(Destination::File { path, .. }) => path,
        _ => path.to_path_buf(),
    }
}

/// Whether `path` is this process's stdout: `-`, or the file or pipe
/// stdout is (`/dev/stdout`, `/dev/fd/1`, the file `> FILE` redirected it
/// to), but not a device (`/dev/null`, or a terminal, which stderr may
/// share: found by exploratory testing, `--rejects /dev/stderr` was
/// refused on one).
pub fn is_own_stdout(path: &Path) -> bool {
    if is_stdout(path) {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let Ok(named) = std::fs::metadata(path) else {
            return false;
        };
        let Some(out) = std::io::stdout()
            .as_fd()
            .try_clone_to_owned()
            .ok()
            .and_then(|fd| File::from(fd).metadata().ok())
        else {
            return false;
        };
        out.dev() == named.dev() && out.ino() == named.ino() && !out.file_type().is_char_device()
    }
    #[cfg(not(unix))]
    false
}

/// The regular file `path` leads to, by its real path (through the links
/// of `/dev/stdout` or `/dev/fd/5` to the file the shell redirected a
/// descriptor to); `None` when it leads to no regular file.
pub fn file_behind(path: &Path) -> Option<PathBuf> {
    if !std::fs::metadata(path).ok()?.is_file() {
        return None;
    }
    std::fs::canonicalize(path).ok()
}

/// Refuses a descriptor's path (`-o /dev/stdout 1<>ws/kefu.db`) that leads
/// to a store or a workspace's settings, as [`refuse_file`] does a file's
/// (found by exploratory testing: a report was written over kefu.db).
fn refuse_store_behind(path: &Path) -> Result<()> {
    if let Some(target) = file_behind(path) {
        if let Some(what) = sqlite_file(&target, true) {
            bail!(
                "{} ({}) is {what}: not overwritten (write to another file)",
                crate::ingest::path_text(path),
                crate::ingest::path_text(&target)
            );
        }
    }
    Ok(())
}

/// Refuses a stdout that cannot take a command's output: open for reading
/// only (`1<FILE`: Rust's stdout takes every write it cannot make, EBADF,
/// as done; found by exploratory testing, the report was lost, exit 0), or
/// redirected to a store or a kefu.toml (`1<>kefu.db`), as `-o` is.
pub fn check_stdout() -> Result<()> {
    if stdout_read_only() {
        bail!("cannot write stdout: it is open for reading only (`1<FILE`?)");
    }
    refuse_store_behind(Path::new("/dev/stdout"))
}

/// The regular file an output (`-o`, `--rejects`; stdout when `None` or
/// `-`) writes straight into, as it goes: the file stdout or a descriptor
/// is redirected to (`> FILE`, `-o /dev/stdout 1<>FILE`). `None` for a file
/// written beside and renamed over at the end, a pipe or a terminal.
pub fn direct_file(output: Option<&Path>) -> Option<PathBuf> {
    match output.filter(|o| !is_stdout(o)) {
        None => file_behind(Path::new("/dev/stdout")),
        Some(o) => match Destination::of(o) {
            Ok(Destination::Special) => file_behind(o),
            _ => None,
        },
    }
}

/// Whether stdout is open for reading only: its flags in /proc (Linux;
/// octal, the access mode in the low two bits, 0 for read-only). False
/// when closed, or where there is no /proc.
fn stdout_read_only() -> bool {
    std::fs::read_to_string("/proc/self/fdinfo/1")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("flags:"))
                .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
        })
        .is_some_and(|flags| flags & 3 == 0)
}

/// Whether an output path is `-`, which means stdout.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// A file being written. A regular file appears, complete, at its name on
/// [`commit`](OutputFile::commit) and not before; dropped uncommitted (an
/// error on the way), it leaves nothing behind.
pub struct OutputFile {
    /// The name as the user gave it, for messages.
    name: PathBuf,
    sink: Sink,
}

/// Where an [`OutputFile`]'s bytes go.
enum Sink {
    /// A temporary file beside `target` (the real file, symlinks followed),
    /// renamed over it on commit; removed when dropped uncommitted.
    Atomic {
        temp: BufWriter<NamedTempFile>,
        target: PathBuf,
    },
    /// A FIFO, a device or a socket, written in place.
    Direct(BufWriter<File>),
}

/// What a path names once its symlinks are followed.
enum Destination {
    /// A regular file (with its permissions), or a name not taken yet.
    File {
        path: PathBuf,
        permissions: Option<Permissions>,
    },
    /// A FIFO, a device, a socket, or a process's file descriptor
    /// (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`): written directly.
    Special,
    Directory,
}

impl Destination {
    /// Follows `path`'s symlinks one by one, so that a link to a file not
    /// created yet still names that file.
    fn of(path: &Path) -> std::io::Result<Destination> {
        let mut current = path.to_path_buf();
        for _ in 0..MAX_LINKS {
            let meta = match std::fs::symlink_metadata(&current) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Ok(Destination::File {
                        path: current,
                        permissions: None,
                    })
                }
                result => result?,
            };
            let kind = meta.file_type();
            if kind.is_symlink() {
                let dir = match current.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.canonicalize()?,
                    _ => std::env::current_dir()?,
                };
                // The links in /proc name open descriptors, not paths (a
                // pipe's is "pipe:[123]"): /dev/stdout leads there.
                if dir.starts_with("/proc") {
                    return Ok(Destination::Special);
                }
                current = dir.join(std::fs::read_link(&current)?);
            } else if kind.is_dir() {
                return Ok(Destination::Directory);
            } else if kind.is_file() {
                return Ok(Destination::File {
                    path: current,
                    permissions: Some(meta.permissions()),
                });
            } else {
                return Ok(Destination::Special);
            }
        }
        Err(std::io::Error::other(LINK_LOOP))
    }
}

/// The file this process's workspace reads its settings from (its links
/// followed), which no output may replace.
static SETTINGS: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Marks the workspace's kefu.toml (`path`, the file its links lead to) as
/// never an output.
pub fn protect_settings(path: &Path) {
    if let Ok(real) = std::fs::canonicalize(path) {
        let _ = SETTINGS.set(real);
    }
}

/// What part of a workspace `target` is, if it is one: an SQLite
/// database (an existing file with SQLite's header), its journal, WAL or
/// shared-memory file beside it, an existing `kefu.toml`, or the file the
/// workspace's kefu.toml links to.
fn sqlite_file(target: &Path, exists: bool) -> Option<&'static str> {
    let is_db = |p: &Path| {
        let mut head = [0u8; 16];
        std::fs::File::open(p)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
            .is_ok_and(|()| &head == b"SQLite format 3\0")
    };
    if exists && is_db(target) {
        return Some("an SQLite database (a kefu store?)");
    }
    let name = target.file_name()?.to_str()?;
    // A workspace's settings and point rules: `-o ws/kefu.toml` would leave
    // every later command failing on a report (found by exploratory testing),
    // and so would the file this workspace's kefu.toml links to, whatever
    // its name (found by exploratory testing: `-o conf/settings.toml`).
    let settings = || {
        SETTINGS
            .get()
            .is_some_and(|s| std::fs::canonicalize(target).is_ok_and(|t| t == *s))
    };
    if exists && (name == "kefu.toml" || settings()) {
        return Some("a workspace's settings (kefu.toml)");
    }
    let base = ["-wal", "-shm", "-journal"]
        .iter()
        .find_map(|s| name.strip_suffix(s))?;
    is_db(&target.with_file_name(base)).then_some("part of an SQLite database (a kefu store?)")
}

/// This process's stdout or stderr, as a file sharing its descriptor's
/// position, when `path` names the same file (`/dev/stdout`, `/dev/fd/2`).
#[cfg(unix)]
fn own_stream(path: &Path) -> Option<File> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let named = std::fs::metadata(path).ok()?;
    let streams = [
        std::io::stdout().as_fd().try_clone_to_owned(),
        std::io::stderr().as_fd().try_clone_to_owned(),
    ];
    streams.into_iter().flatten().map(File::from).find(|f| {
        f.metadata()
            .is_ok_and(|m| m.dev() == named.dev() && m.ino() == named.ino())
    })
}

#[cfg(not(unix))]
fn own_stream(_: &Path) -> Option<File> {
    None
}

/// Refuses what the path alone shows cannot be written: a directory's
/// name ([`refuse_directory_name`]), or a directory in it that is not there
/// or is a file, said as such rather than as the system's "Not a
/// directory".
fn refuse_path(path: &Path) -> Result<()> {
    refuse_directory_name(path)?;
    if let Some(why) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .and_then(unusable_directory)
    {
        bail!("cannot write {}: {why}", crate::ingest::path_text(path));
    }
    Ok(())
}

/// Refuses a path that can only name a directory, there or not: `nodir/`,
/// `nodir/.`, `..` (found by exploratory testing: "Not a directory" for one
/// that did not exist, and `nodir/.` failed only after the work was done).
fn refuse_directory_name(path: &Path) -> Result<()> {
    let text = path.as_os_str().to_string_lossy();
    let text = text.replace(std::path::MAIN_SEPARATOR, "/");
    let last = text.rsplit('/').next().unwrap_or_default();
    if matches!(last, "" | "." | "..") {
        bail!(
            "cannot write {}: it names a directory: name a file",
            crate::ingest::path_text(path)
        );
    }
    Ok(())
}

/// Refuses to write `path` (a regular file, `target` once its links are
/// followed, `exists` or not) where it cannot be or must not be written;
/// else the directory it goes in.
fn refuse_file<'t>(path: &Path, target: &'t Path, exists: bool) -> Result<&'t Path> {
    refuse_directory_name(path)?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if let Some(why) = unusable_directory(dir) {
        bail!("cannot write {}: {why}", crate::ingest::path_text(path));
    }
    // A store (kefu.db, another workspace's, its -wal or -shm)
    // or a workspace's kefu.toml is never an output: `--rejects ws/kefu.db` or `-o kefu.db`
    // is a slip that would lose every record.
    if let Some(db) = sqlite_file(target, exists) {
        bail!(
            "{} is {}: not overwritten (write to another file)",
            crate::ingest::path_text(path),
            db
        );
    }
    // Replacing by rename needs no write permission on the file
    // itself: ask for it, as writing in place would (`sort -o`).
    if exists {
        if let Err(e) = std::fs::OpenOptions::new().write(true).open(target) {
            if e.kind() == std::io::ErrorKind::PermissionDenied {
                bail!(
                    "cannot write {}: permission denied",
                    crate::ingest::path_text(path)
                );
            }
        }
    }
    Ok(dir)
}

/// Checks, before other work or other files, that `path` (`-o`) could be
/// written as [`OutputFile::create`] would, without creating anything.
pub fn check(path: &Path) -> Result<()> {
    if is_stdout(path) {
        return check_stdout();
    }
    let shown = crate::ingest::path_text(path);
    refuse_path(path)?;
    let fail = || format!("cannot write {shown}");
    match Destination::of(path).with_context(fail)? {
        Destination::Directory => bail!("{shown} is a directory"),
        Destination::Special => refuse_store_behind(path),
        Destination::File {
            path: target,
            permissions,
        } => {
            let dir = refuse_file(path, &target, permissions.is_some())?;
            // The new file is written beside the old one and renamed over
            // it: the directory must take a file (found by exploratory
            // testing: a read-only one failed after every statement).
            tempfile::Builder::new()
                .prefix(".kefu-check.")
                .tempfile_in(dir)
                .map(drop)
                .map_err(|e| {
                    if e.kind() == std::io::ErrorKind::PermissionDenied {
                        anyhow::anyhow!(
                            "cannot write {shown}: no permission to create files in {} (kefu writes a new file beside the old one and renames it over)",
                            crate::ingest::path_text(dir)
                        )
                    } else {
                        anyhow::Error::new(e).context(fail())
                    }
                })
        }
    }
}

impl OutputFile {
    /// Starts writing `path` (see the module's comment for how each kind of
    /// file is written). Errors name `path`.
    pub fn create(path: &Path) -> Result<OutputFile> {
        refuse_path(path)?;
        let fail = || format!("cannot write {}", crate::ingest::path_text(path));
        let sink = match Destination::of(path).with_context(fail)? {
            Destination::Directory => bail!("{} is a directory", crate::ingest::path_text(path)),
            Destination::Special => {
                // The process's own stdout or stderr (`-o /dev/stdout`) is
                // written through that descriptor, sharing its position
                // (found by exploratory testing: reopened, a log file the
                // shell also wrote to got the shell's next line over the
                // report). Else appending, so that a descriptor redirected to
                // a file goes on where it stands rather than overwriting
                // from the start; FIFOs and devices ignore it.
                refuse_store_behind(path)?;
                let file = match own_stream(path) {
                    Some(file) => file,
                    None => std::fs::OpenOptions::new()
                        .append(true)
                        .open(path)
                        .with_context(fail)?,
                };
                Sink::Direct(BufWriter::with_capacity(BUFFER, file))
            }
            Destination::File {
                path: target,
                permissions,
            } => {
                let dir = refuse_file(path, &target, permissions.is_some())?;
                let file_name = target.file_name().unwrap_or_default();
                remove_stale_temps_in(dir);
                let mut prefix = std::ffi::OsString::from(".");
                prefix.push(file_name);
                prefix.push(format!(".{}.", std::process::id()));
                let mut builder = tempfile::Builder::new();
                builder.prefix(&prefix).suffix(TEMP_SUFFIX);
                // A new file gets the mode File::create gives (0666 less the
                // umask), not the temporary file's private 0600.
                #[cfg(unix)]
                builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
                let temp = builder.tempfile_in(dir).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::PermissionDenied {
                        anyhow::anyhow!(
                            "cannot write {}: no permission to create files in {} (kefu writes a new file beside the old one and renames it over)",
                            crate::ingest::path_text(path),
                            crate::ingest::path_text(dir)
                        )
                    } else {
                        anyhow::Error::new(e).context(fail())
                    }
                })?;
                // A replaced file keeps its mode.
                if let Some(p) = permissions {
                    temp.as_file().set_permissions(p).with_context(fail)?;
                }
                Sink::Atomic {
                    temp: BufWriter::with_capacity(BUFFER, temp),
                    target,
                }
            }
        };
        Ok(OutputFile {
            name: path.to_path_buf(),
            sink,
        })
    }

    /// Finishes the file: flushes it, and renames a temporary file over the
    /// target (after syncing it to disk, so that a crash leaves the old file
    /// or the new one, never a part).
    pub fn commit(self) -> Result<()> {
        self.finish(true).map(drop)
    }

    /// As [`OutputFile::commit`], but only where no file has appeared at
    /// the name meanwhile: false (and nothing written) when one has
    /// (another `kefu init` wrote kefu.toml first).
    pub fn commit_new(self) -> Result<bool> {
        self.finish(false)
    }

    /// Commits, over a file at the name only if `replace`: whether the
    /// file was written.
    fn finish(self, replace: bool) -> Result<bool> {
        let fail = || format!("cannot write {}", crate::ingest::path_text(&self.name));
        match self.sink {
            Sink::Atomic { temp, target } => {
                let temp = temp
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(fail)?;
                temp.as_file().sync_all().with_context(fail)?;
                // On failure the temporary file is dropped, and so removed.
                let placed = if replace {
                    temp.persist(&target).map(drop)
                } else {
                    temp.persist_noclobber(&target).map(drop)
                };
                match placed {
                    Ok(()) => Ok(true),
                    Err(e) if !replace && e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                        Ok(false)
                    }
                    Err(e) => Err(e.error).with_context(fail),
                }
            }
            Sink::Direct(mut file) => {
                file.flush().with_context(fail)?;
                Ok(true)
            }
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.sink {
            Sink::Atomic { temp, .. } => temp.write(buf),
            Sink::Direct(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Atomic { temp, .. } => temp.flush(),
            Sink::Direct(file) => file.flush(),
        }
    }
}

/// A command's output: stdout, or the file `-o` names.
pub enum Output {
    Stdout(BufWriter<Stdout>),
    File(OutputFile),
}

impl Output {
    /// `-o FILE`; stdout when there is no `-o`, or it is `-`.
    pub fn open(path: Option<&Path>) -> Result<Output> {
        Ok(match path.filter(|p| !is_stdout(p)) {
            Some(p) => Output::File(OutputFile::create(p)?),
            None => {
                check_stdout()?;
                Output::Stdout(BufWriter::with_capacity(BUFFER, std::io::stdout()))
            }
        })
    }

    /// What to call the output in messages: the file's name, or "stdout".
    pub fn name(&self) -> String {
        match self {
            Output::Stdout(_) => "stdout".into(),
            Output::File(f) => crate::ingest::path_text(&f.name),
        }
    }

    /// Ends the output: flushes stdout, or commits the file.
    pub fn finish(self) -> Result<()> {
        match self {
            Output::Stdout(mut out) => out.flush().context("cannot write stdout"),
            Output::File(f) => f.commit(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::File(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File(f) => f.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn temporary_files_of_processes_gone_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        // Left by a kefu killed mid-way (no process has this id), by this
        // process (still running), and beside another file.
        for stale in [
            ".a.csv.4000000001.Ab12Cd.kefu-tmp",
            &format!(".a.csv.{}.Zz99Yy.kefu-tmp", std::process::id()),
            ".b.csv.4000000001.Ab12Cd.kefu-tmp",
        ] {
            std::fs::write(dir.path().join(stale), "part").unwrap();
        }
        let mut f = OutputFile::create(&path).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        // Every gone process's temporary file in the directory goes (once
        // per process and directory), this process's stays.
        let expected = if Path::new("/proc/self").exists() {
            vec![
                ".a.csv.".to_string() + &std::process::id().to_string() + ".Zz99Yy.kefu-tmp",
                "a.csv".into(),
            ]
        } else {
            vec![
                ".a.csv.4000000001.Ab12Cd.kefu-tmp".into(),
                format!(".a.csv.{}.Zz99Yy.kefu-tmp", std::process::id()),
                ".b.csv.4000000001.Ab12Cd.kefu-tmp".into(),
                "a.csv".into(),
            ]
        };
        assert_eq!(names(dir.path()), expected);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_without_write_permission_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ro.csv");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o444)).unwrap();
        if std::fs::OpenOptions::new().write(true).open(&path).is_ok() {
            return; // root may write anything, as with `sort -o`
        }
        let e = OutputFile::create(&path).err().unwrap();
        assert!(e.to_string().contains("permission denied"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
    }

    #[test]
    fn nothing_appears_before_commit_and_nothing_stays_without_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "old").unwrap();
        let mut f = OutputFile::create(&path).unwrap();
        f.write_all(b"new").unwrap();
        f.flush().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        drop(f);
        assert_eq!(names(dir.path()), ["a.csv"], "the temporary file is gone");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        let mut f = OutputFile::create(&path).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(names(dir.path()), ["a.csv"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode_and_a_dangling_link_is_followed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        let mut f = OutputFile::create(&path).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        // A link to a file not there yet creates that file.
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("sub/target.csv", &link).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let mut f = OutputFile::create(&link).unwrap();
        f.write_all(b"through").unwrap();
        f.commit().unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("sub/target.csv")).unwrap(),
            "through"
        );
    }
}
