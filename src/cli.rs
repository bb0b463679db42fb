//! The command line: global options and the list of subcommands. Each
//! subcommand's own options live with it in `src/cmd/`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::cmd;

const AFTER_HELP: &str = "\
Exit codes:
  0  success (also: an import with rejected rows, which are counted and kept in a rejects file)
  1  error (unreadable input, store problem, rejects under --strict)
  2  usage error (unknown option, bad value)

Examples:
  kefu init shop                                   create a workspace in ./shop
  kefu -w shop import reviews taobao.csv jd.xlsx   import the day's exports
  kefu -w shop import agents 名单.xlsx             import the roster (客服名单)";

/// kefu: customer-service (客服) feedback, complaints (投诉), negative reviews (差评), points and bonuses.
///
/// kefu keeps a department's reviews, complaints and roster in one SQLite store
/// per workspace, imports the exports people really have (Chinese Excel, GBK CSV,
/// platform JSON) without losing a row, and reports on them.
/// The environment variable naming the workspace directory.
pub const WORKSPACE_VAR: &str = "KEFU_WORKSPACE";

/// Prints what parsing the command line ended with (a usage error, or
/// `--help` and `--version`, which clap hands back the same way) and gives
/// the exit code. A usage error goes to stderr (exit 2). Help and version
/// go to stdout, which is checked as every command's output is (not open
/// for reading only, not the store); a stdout that cannot take them (a full
/// disk) is an error (exit 1); a closed pipe is not (exit 0).
pub fn parse_failure(e: &clap::Error) -> i32 {
    if e.use_stderr() {
        let _ = e.print(); // a closed stderr: nothing to say it on
        return e.exit_code();
    }
    let printed = crate::render::output::check_stdout().and_then(|()| {
        e.print()
            .and_then(|()| std::io::Write::flush(&mut std::io::stdout()))
            .context("cannot write stdout")
    });
    match printed {
        Ok(()) => e.exit_code(),
        Err(err) => crate::error::report(&err),
    }
}

#[derive(Debug, Parser)]
#[command(name = "kefu", version, about, long_about, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    /// Workspace directory (工作区) holding kefu.toml and kefu.db [default: current directory]
    #[arg(
        short = 'w',
        long,
        global = true,
        env = WORKSPACE_VAR,
        value_name = "DIR"
    )]
    pub workspace: Option<PathBuf>,

    /// Print no progress, summary or notes on stderr (warnings and errors still go there)
    #[arg(short, long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(cmd::init::InitArgs),
    Import(cmd::import::ImportArgs),
    Classify(cmd::classify::ClassifyArgs),
    Report(cmd::report::ReportArgs),
    Points(cmd::points::PointsArgs),
    Bonus(cmd::bonus::BonusArgs),
    Completions(cmd::completions::CompletionsArgs),
}
