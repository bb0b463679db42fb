//! The `kefu` binary: parse the command line, run it, exit with its code.

use clap::Parser;

// mimalloc: kefu allocates many small strings (rows, cells, SQL bindings);
// measured faster than the system allocator on import, classify and reports.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (v2 and v3): milliseconds before
/// freed memory goes back to the OS; -1 never. kefu runs for seconds, and
/// returning pages only to fault them in again (zeroed) cost a third of
/// `kefu bonus` on a large store; peak memory is unchanged.
const MI_OPTION_PURGE_DELAY: std::os::raw::c_int = 15;

#[allow(unsafe_code)]
fn main() {
    // SAFETY: sets a plain integer option; called before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    // `KEFU_WORKSPACE=` (set but empty, as a cron line with an unset
    // variable leaves it) is no workspace given: the current directory, as
    // unset, not an error about an option nobody typed.
    if std::env::var_os(kefu::cli::WORKSPACE_VAR).is_some_and(|v| v.is_empty()) {
        std::env::remove_var(kefu::cli::WORKSPACE_VAR);
    }
    let cli = match kefu::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => std::process::exit(kefu::cli::parse_failure(&e)),
    };
    std::process::exit(kefu::run(cli));
}
