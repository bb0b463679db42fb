//! `kefu completions <SHELL>`: shell completion scripts.

use anyhow::Result;
use clap::CommandFactory;

/// Print a shell completion script to stdout.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  kefu completions bash > /etc/bash_completion.d/kefu\n  kefu completions zsh > ~/.zfunc/_kefu"
)]
pub struct CompletionsArgs {
    /// The shell to complete for
    pub shell: clap_complete::Shell,
}

pub fn run(args: CompletionsArgs) -> Result<()> {
    let mut cmd = crate::cli::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "kefu", &mut out);
    crate::render::write_stdout(&String::from_utf8_lossy(&out))
}
