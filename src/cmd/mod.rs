//! One module per subcommand, each owning its clap arguments and a `run`.
//! `dispatch` sends a parsed command line to the right one.

pub mod bonus;
pub mod classify;
pub mod completions;
pub mod import;
pub mod init;
pub mod points;
pub mod report;

use anyhow::Result;

use crate::cli::{Cli, Command};

/// Options every command receives.
pub struct Globals {
    pub workspace: Option<std::path::PathBuf>,
    pub quiet: bool,
}

/// Runs the parsed command line.
pub fn dispatch(cli: Cli) -> Result<()> {
    let globals = Globals {
        workspace: cli.workspace,
        quiet: cli.quiet,
    };
    match cli.command {
        Command::Init(args) => init::run(&globals, args),
        Command::Import(args) => import::run(&globals, args),
        Command::Classify(args) => classify::run(&globals, args),
        Command::Report(args) => report::run(&globals, args),
        Command::Points(args) => points::run(&globals, args),
        Command::Bonus(args) => bonus::run(&globals, args),
        Command::Completions(args) => completions::run(args),
    }
}
