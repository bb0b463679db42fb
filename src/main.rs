//! The `kefu` binary: parse the command line, run it, exit with its code.

use clap::Parser;

fn main() {
    let cli = kefu::cli::Cli::parse();
    std::process::exit(kefu::run(cli));
}
