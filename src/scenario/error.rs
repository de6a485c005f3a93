//! [`ScenarioError`]: why a scenario file could not be run, with the file and
//! line it points at.

use std::fmt;

use peering_core_std::harness::HarnessError;

/// What went wrong, by kind (see [`ScenarioError`] for where).
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ErrorKind {
    /// The file could not be read or written.
    #[error("{0}")]
    Io(String),
    /// A line that is not a command the language knows.
    #[error("unknown command `{command}`; expected one of: {expected}")]
    UnknownCommand {
        /// What the line said.
        command: String,
        /// The commands there are.
        expected: &'static str,
    },
    /// An argument the command does not take.
    #[error("`{command}` takes no argument `{arg}`; it takes: {expected}")]
    UnknownArgument {
        /// The command.
        command: &'static str,
        /// The argument given.
        arg: String,
        /// The arguments it takes.
        expected: &'static str,
    },
    /// A required argument is missing.
    #[error("`{command}` needs `{arg}`")]
    MissingArgument {
        /// The command.
        command: &'static str,
        /// The argument it needs.
        arg: &'static str,
    },
    /// An argument whose value does not parse.
    #[error("`{arg}={value}`: expected {expected}")]
    BadValue {
        /// The argument.
        arg: String,
        /// Its value.
        value: String,
        /// What it should look like.
        expected: &'static str,
    },
    /// A request the cluster cannot honour (an OSD that does not exist, a
    /// pool larger than the cluster, a command before `cluster`).
    #[error("{0}")]
    Impossible(String),
    /// The harness refused a step (a broken host contract, no quiescence).
    #[error("harness: {0}")]
    Harness(HarnessError),
}

/// A scenario file that could not be run: the file, the 1-based line, and
/// what was expected there.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ScenarioError {
    /// The file, as given.
    pub file: String,
    /// The line (1-based); 0 for the file as a whole.
    pub line: usize,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.kind)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.kind)
        }
    }
}

impl std::error::Error for ScenarioError {}
