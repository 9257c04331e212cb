//! The `dechrome` command: parses arguments and hands a validated configuration to the
//! library. Errors are printed once, here.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
