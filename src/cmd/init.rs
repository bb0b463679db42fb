//! `kefu init [DIR]`: create a workspace (kefu.toml with commented defaults,
//! and an empty store).

use std::path::PathBuf;

use anyhow::Result;

use super::Globals;
use crate::workspace;

/// Create a workspace: DIR/kefu.toml (commented defaults) and DIR/kefu.db (the store).
///
/// Running it again on an existing workspace changes nothing but upgrades an
/// older store to this kefu's schema.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  kefu init            workspace in the current directory\n  kefu init shop       workspace in ./shop"
)]
pub struct InitArgs {
    /// Directory to create the workspace in [default: -w DIR, or the current directory]
    pub dir: Option<PathBuf>,
}

pub fn run(globals: &Globals, args: InitArgs) -> Result<()> {
    let dir = args
        .dir
        .or_else(|| globals.workspace.clone())
        .unwrap_or_else(|| PathBuf::from("."));
    let written = workspace::init(&dir, globals.quiet)?;
    if !globals.quiet {
        if written.is_empty() {
            crate::say!(
                "kefu: {} is already a workspace; nothing to create",
                dir.display()
            );
        }
        for p in written {
            crate::say!("kefu: created {}", p.display());
        }
    }
    Ok(())
}
