//! The `kefu` binary: parse the command line, run it, exit with its code.

use clap::Parser;

// mimalloc: kefu allocates many small strings (rows, cells, SQL bindings);
// measured faster than the system allocator on import, classify and reports.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = kefu::cli::Cli::parse();
    std::process::exit(kefu::run(cli));
}
