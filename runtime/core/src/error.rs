//! Roast exceptions as Rust values.

use std::fmt;

/// The Python exception classes the runtime can raise. The discriminant is
/// the code compiled code passes to `roast_rt_raise`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum ExcKind {
    /// `ZeroDivisionError`
    ZeroDivisionError = 1,
    /// `OverflowError`
    OverflowError = 2,
    /// `AssertionError`
    AssertionError = 3,
    /// `RecursionError`
    RecursionError = 4,
    /// `ValueError`
    ValueError = 5,
    /// `TypeError`
    TypeError = 6,
    /// `IndexError`
    IndexError = 7,
    /// `KeyError`
    KeyError = 8,
    /// `RuntimeError`
    RuntimeError = 9,
}

impl ExcKind {
    /// Every kind, in code order.
    pub const ALL: [ExcKind; 9] = [
        ExcKind::ZeroDivisionError,
        ExcKind::OverflowError,
        ExcKind::AssertionError,
        ExcKind::RecursionError,
        ExcKind::ValueError,
        ExcKind::TypeError,
        ExcKind::IndexError,
        ExcKind::KeyError,
        ExcKind::RuntimeError,
    ];

    /// The kind with ABI code `code`, if any.
    pub fn from_code(code: u32) -> Option<ExcKind> {
        ExcKind::ALL.into_iter().find(|k| *k as u32 == code)
    }

    /// The Python class name.
    pub fn name(self) -> &'static str {
        match self {
            ExcKind::ZeroDivisionError => "ZeroDivisionError",
            ExcKind::OverflowError => "OverflowError",
            ExcKind::AssertionError => "AssertionError",
            ExcKind::RecursionError => "RecursionError",
            ExcKind::ValueError => "ValueError",
            ExcKind::TypeError => "TypeError",
            ExcKind::IndexError => "IndexError",
            ExcKind::KeyError => "KeyError",
            ExcKind::RuntimeError => "RuntimeError",
        }
    }
}

/// Where in Roast source an exception was raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    file: String,
    line: u32,
    col: u32,
}

impl Location {
    /// A location in `file` at 1-based `line` and `col`.
    pub fn new(file: impl Into<String>, line: u32, col: u32) -> Location {
        Location {
            file: file.into(),
            line,
            col,
        }
    }

    /// The Roast file, as the build named it.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// 1-based line.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// 1-based column, in characters.
    pub fn col(&self) -> u32 {
        self.col
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// An uncaught Roast exception: its Python class, message and where it was
/// raised. Displays as `Kind: message (at file:line:col)`.
///
/// One pointer wide, so a `Result<T, Error>` of a scalar comes back from a
/// call in registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(Box<Raised>);

/// What an [`Error`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Raised {
    kind: ExcKind,
    message: String,
    location: Location,
}

impl Error {
    /// An exception of `kind` with `message`, raised at `location`.
    pub fn new(kind: ExcKind, message: impl Into<String>, location: Location) -> Error {
        Error(Box::new(Raised {
            kind,
            message: message.into(),
            location,
        }))
    }

    /// The Python exception class name, e.g. `"ZeroDivisionError"`.
    pub fn kind(&self) -> &str {
        self.0.kind.name()
    }

    /// The exception kind as an enum.
    pub fn exc_kind(&self) -> ExcKind {
        self.0.kind
    }

    /// The exception message (empty for a bare `assert`).
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Where the exception was raised.
    pub fn location(&self) -> &Location {
        &self.0.location
    }

    /// The last line CPython prints for this exception: `Kind: message`, or
    /// just `Kind` when the message is empty.
    pub fn python_line(&self) -> String {
        if self.0.message.is_empty() {
            self.0.kind.name().to_string()
        } else {
            format!("{}: {}", self.0.kind.name(), self.0.message)
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at {})", self.python_line(), self.0.location)
    }
}

impl std::error::Error for Error {}
