//! Exit codes (contract §2–§4) and the one error type the commands return.

use std::fmt;

/// Integrity valid and risk low; or the command simply succeeded.
pub const EXIT_OK: u8 = 0;
/// Any other error: unreadable or malformed file, I/O failure.
pub const EXIT_OTHER: u8 = 1;
/// Usage error: bad flags or arguments.
pub const EXIT_USAGE: u8 = 2;
/// Integrity valid, risk medium, unknown or high.
pub const EXIT_RISK: u8 = 3;
/// Integrity invalid (or `pki verify`: path invalid).
pub const EXIT_INVALID: u8 = 4;

/// A failed command: what to print on stderr and which exit code to use.
#[derive(Debug)]
pub struct CliError {
    /// Exit code.
    pub code: u8,
    /// The message, with its causes.
    pub error: anyhow::Error,
}

impl CliError {
    /// A usage error (exit 2).
    pub fn usage(msg: impl fmt::Display) -> Self {
        CliError {
            code: EXIT_USAGE,
            error: anyhow::anyhow!("{msg}"),
        }
    }
    /// Any other error (exit 1).
    pub fn other(msg: impl fmt::Display) -> Self {
        CliError {
            code: EXIT_OTHER,
            error: anyhow::anyhow!("{msg}"),
        }
    }
    /// A verification failure (exit 4).
    pub fn invalid(msg: impl fmt::Display) -> Self {
        CliError {
            code: EXIT_INVALID,
            error: anyhow::anyhow!("{msg}"),
        }
    }
}

impl From<anyhow::Error> for CliError {
    fn from(error: anyhow::Error) -> Self {
        CliError {
            code: EXIT_OTHER,
            error,
        }
    }
}

/// What a command returns: an exit code on success, or an error.
pub type CmdResult = Result<u8, CliError>;
