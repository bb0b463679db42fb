//! kefu: a toolkit for customer-service (客服) departments.
//!
//! It imports negative reviews (差评), complaints (投诉) and the roster from
//! the exports departments really have, keeps them in one SQLite store per
//! workspace, and reports on them. The binary (`src/main.rs`) only parses the
//! command line and calls [`run`].
//!
//! Layout: `cmd/` one module per subcommand; `ingest/` every reader; `store/`
//! the database and all SQL; `render/` every output format and every file
//! written (`render::output`); `domain`, `dates`, `config`, `workspace` the
//! shared vocabulary, time, settings and workspace.

/// `eprintln!` that never panics: a message stderr cannot take (a pipe
/// whose reader has gone, `2>&1 | head`) is dropped and the command goes on,
/// so an import still commits and a stream still ends cleanly. Customers'
/// phone numbers, ID-card numbers, e-mails and WeChat ids a message quotes
/// (a rejected row's value, an event's note) are masked: stderr goes to
/// cron mail and logs ([`privacy::mask_personal_data`]). A message is cut
/// at [`MAX_MESSAGE_CHARS`] characters ([`shorten_message`]), and control
/// characters from data (a file name) are written `<U+001B>` ([`render::printable`]).
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            $crate::shorten_message(
                $crate::render::printable(&$crate::privacy::mask_personal_data(&text)).into_owned()
            )
        );
    }};
}

/// Writes `text` on stderr as [`say!`] does, but with personal data shown:
/// the notes of an output the user asked to see unmasked (`--no-mask`).
pub fn say_unmasked(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "{}",
        shorten_message(render::printable(text).into_owned())
    );
}

/// The most characters one message on stderr shows.
pub const MAX_MESSAGE_CHARS: usize = 2_000;

/// `text` cut to [`MAX_MESSAGE_CHARS`] characters, saying how many more
/// there were: a value quoted whole (a 1,000,000-character agent name from a
/// shifted column) would fill cron mail (found by exploratory testing: 3 MB
/// in one warning). Files (rejects, reports) keep every value whole.
pub fn shorten_message(mut text: String) -> String {
    if let Some((at, _)) = text.char_indices().nth(MAX_MESSAGE_CHARS) {
        let more = text[at..].chars().count();
        text.truncate(at);
        text.push_str(&format!("… ({more} more characters)"));
    }
    text
}

pub mod classify;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod dates;
pub mod domain;
pub mod error;
pub mod hanzi;
pub mod identity;
pub mod ingest;
pub mod points;
pub mod privacy;
pub mod render;
pub mod report;
pub mod store;
pub mod workspace;

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: cli::Cli) -> i32 {
    match cmd::dispatch(cli) {
        Ok(()) => error::EXIT_OK,
        Err(err) => error::report(&err),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_long_message_is_cut_saying_how_much_more() {
        assert_eq!(
            super::shorten_message("短".repeat(2_000)),
            "短".repeat(2_000)
        );
        let cut = super::shorten_message("张".repeat(300_000));
        assert!(cut.starts_with(&"张".repeat(2_000)));
        assert!(
            cut.ends_with("… (298000 more characters)"),
            "{}",
            &cut[cut.len() - 40..]
        );
    }
}
