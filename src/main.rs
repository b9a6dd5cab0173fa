//! The `threadlens` binary: parse arguments, run one command, map errors to
//! exit codes (0 ok, 1 some records rejected, 2 error). Thin on purpose; the
//! work is in the library and in `cmd/`.

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn run() -> anyhow::Result<ExitCode> {
    let cli = cli::Cli::parse();
    env_logger::Builder::new()
        .filter_level(if cli.verbose {
            log::LevelFilter::Debug
        } else {
            log::LevelFilter::Warn
        })
        .parse_default_env()
        .format_target(false)
        .format_timestamp(None)
        .init();
    // Ctrl-C / SIGTERM: remove the run's temporary files (output temp
    // files, partitions), then exit 130 as shells expect of an interrupt.
    // Not fatal if a handler cannot be installed (one already is).
    // (`serve` handles its own signals: it stops accepting and drains.)
    let serving = matches!(cli.command, cli::Command::Serve(_));
    let handler = || {
        threadlens::cleanup::interrupt();
        eprintln!("threadlens: interrupted; temporary files removed");
        std::process::exit(130);
    };
    if let Some(Err(e)) = (!serving).then(|| ctrlc::set_handler(handler)) {
        log::debug!("no interrupt handler: {e}");
    }
    match &cli.command {
        cli::Command::Parse(a) => cmd::parse::run(&cmd::parse::ParseConfig {
            input: a.input.resolve()?,
            output: a.output.clone(),
            quiet: cli.quiet,
        }),
        cli::Command::Train(a) => cmd::train::run(a, cli.quiet),
        cli::Command::Eval(a) => cmd::eval::run(a, cli.quiet),
        cli::Command::Tokenizer(a) => cmd::train::run_tokenizer(a, cli.quiet),
        cli::Command::Score(a) => cmd::score::run(a, cli.quiet),
        cli::Command::Report(a) => cmd::report::run(a, cli.quiet),
        cli::Command::Models(a) => cmd::models::run(a),
        cli::Command::Serve(a) => cmd::serve::run(a),
        cli::Command::Merge(a) => cmd::report::merge(a, cli.quiet),
    }
}

fn is_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    if let Some(io) = e.downcast_ref::<std::io::Error>() {
        return io.kind() == BrokenPipe;
    }
    if let Some(j) = e.downcast_ref::<serde_json::Error>() {
        return j.io_error_kind() == Some(BrokenPipe);
    }
    if let Some(c) = e.downcast_ref::<csv::Error>() {
        return matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == BrokenPipe);
    }
    false
}

fn main() -> ExitCode {
    let result = run();
    // Interrupted: the handler is removing the temporary files and exits
    // 130 when done; whatever the work ended with (an error from a file
    // the removal took away, or success) is not the run's outcome.
    if threadlens::cleanup::interrupted() {
        std::thread::sleep(std::time::Duration::from_secs(30));
        return ExitCode::from(130);
    }
    match result {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`threadlens parse x | head`) is not an error,
            // whichever writer met it (JSON and CSV writers wrap the I/O
            // error in their own type).
            if err.chain().any(is_broken_pipe) {
                return ExitCode::SUCCESS;
            }
            eprintln!("threadlens: {err:#}");
            ExitCode::from(2)
        }
    }
}
