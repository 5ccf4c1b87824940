//! Source files, spans and the one `Diagnostic` type every stage reports with,
//! rendered the way rustc renders its errors (`file:line:col`, snippet, caret).

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::fmt;

/// Identifies a source file within a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both `self` and `other` (same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One source file: the name shown in diagnostics and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it (shown in diagnostics and run-time errors).
    pub name: String,
    /// The file's text.
    pub text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// A source file named `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of byte offset `offset`.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line] as usize;
        let end = (offset as usize).min(self.text.len());
        let col = self
            .text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count());
        (line as u32 + 1, col as u32 + 1)
    }
}

/// All source files of one compilation.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    /// The file with id `id`.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// `file:line:col` of the start of `span`.
    pub fn location(&self, span: Span) -> Location {
        let file = self.file(span.file);
        let (line, col) = file.line_col(span.start);
        Location {
            file: file.name.clone(),
            line,
            col,
        }
    }

    /// Renders `diagnostics` one after another, separated by blank lines.
    pub fn render_all(&self, diagnostics: &[Diagnostic]) -> String {
        let mut out = String::new();
        for d in diagnostics {
            out.push_str(&d.render(self));
            out.push_str("\n\n");
        }
        out
    }
}

/// A resolved source position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file's display name.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// A compile-time error with its location, a label for the caret and an
/// optional help line saying what to do instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The headline (`expected an expression`).
    pub message: String,
    /// Where it points.
    pub span: Span,
    /// Text under the caret.
    pub label: String,
    /// Secondary spans with their labels.
    pub notes: Vec<(Span, String)>,
    /// `help:` line.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            span,
            label: String::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    /// Sets the text under the caret.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    /// Adds a secondary span and its label.
    pub fn with_note(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.notes.push((span, label.into()));
        self
    }

    /// Sets the `help:` line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Renders like rustc: `error: msg`, ` --> file:line:col`, snippet, caret, help.
    pub fn render(&self, sources: &SourceMap) -> String {
        let file = sources.file(self.span.file);
        let clamp = |s: Span| {
            let len = file.text.len();
            let mut start = (s.start as usize).min(len);
            while start > 0 && !file.text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (s.end as usize).clamp(start, len);
            while end < len && !file.text.is_char_boundary(end) {
                end += 1;
            }
            start..end
        };
        let mut snippet = Snippet::source(file.text.as_str())
            .line_start(1)
            .path(file.name.as_str())
            .fold(true)
            .annotation(
                AnnotationKind::Primary
                    .span(clamp(self.span))
                    .label(self.label.as_str()),
            );
        for (span, label) in &self.notes {
            if span.file == self.span.file {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(clamp(*span))
                        .label(label.as_str()),
                );
            }
        }
        let mut group =
            Group::with_title(Level::ERROR.primary_title(self.message.as_str())).element(snippet);
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        Renderer::plain().render(&[group]).to_string()
    }
}
