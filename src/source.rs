//! Source files the run has read, and positions inside them.
//!
//! Every node that came from a file (a values key, a template action, a config entry) carries a
//! [`FileId`] and a [`Span`]; diagnostics resolve them here to a path relative to the checked
//! directory, and the human report reads the text back for its snippet.

use std::sync::{Arc, RwLock};

use crate::diagnostic::Location;

/// Index of a file in [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A position in a file: 1-based line and column (in characters), 0-based byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub offset: usize,
}

/// A range in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

/// A span together with the file it is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct FileSpan {
    pub file: FileId,
    pub span: Span,
}

/// One file that was read.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the checked directory, with `/` separators.
    pub path: String,
    pub text: Arc<str>,
}

/// The registry of files read during a run; shared by all threads.
#[derive(Debug, Default)]
pub struct Sources {
    files: RwLock<Vec<Arc<SourceFile>>>,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a file and returns its id.
    pub fn add(&self, path: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        let mut files = self.files.write().expect("sources lock poisoned");
        files.push(Arc::new(SourceFile { path: path.into(), text: text.into() }));
        FileId((files.len() - 1) as u32)
    }

    pub fn get(&self, id: FileId) -> Arc<SourceFile> {
        self.files.read().expect("sources lock poisoned")[id.0 as usize].clone()
    }

    pub fn path(&self, id: FileId) -> String {
        self.get(id).path.clone()
    }

    /// The start of file `id` (line 1, column 1).
    pub fn start_of(&self, id: FileId) -> Location {
        Location::start_of(self.path(id))
    }

    /// The reportable location of `at`: its file's path and the span's start and end.
    ///
    /// Positions are 1-based, so a missing one (`Span::default()`, line 0) becomes 1, and the
    /// end is never reported before the start.
    pub fn locate(&self, at: FileSpan) -> Location {
        let FileSpan { file, span } = at;
        Location {
            file: self.path(file),
            line: span.start.line.max(1),
            column: span.start.column.max(1),
            end_line: span.end.line.max(span.start.line).max(1),
            end_column: if span.end.line > span.start.line {
                span.end.column.max(1)
            } else {
                span.end.column.max(span.start.column).max(1)
            },
        }
    }

    /// The file registered under `path` (the first one), with its id.
    pub fn find(&self, path: &str) -> Option<(FileId, Arc<SourceFile>)> {
        let files = self.files.read().expect("sources lock poisoned");
        files.iter().position(|f| f.path == path).map(|i| (FileId(i as u32), files[i].clone()))
    }
}

impl Pos {
    /// This position as a point location in `file`.
    pub fn in_file(self, file: impl Into<String>) -> Location {
        Location::point(file, self.line, self.column)
    }

    /// The position of byte `offset` in `text` (clamped to the text's end).
    pub fn at_offset(text: &str, offset: usize) -> Pos {
        let offset = offset.min(text.len());
        let before = &text[..floor_char_boundary(text, offset)];
        let line = before.matches('\n').count() as u32 + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() as u32 + 1;
        Pos { line, column, offset: before.len() }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_to_line_and_column() {
        let text = "a: 1\nbé: 2\n";
        assert_eq!(Pos::at_offset(text, 0), Pos { line: 1, column: 1, offset: 0 });
        let p = Pos::at_offset(text, text.find(": 2").unwrap());
        assert_eq!((p.line, p.column), (2, 3));
    }

    #[test]
    fn locations_are_one_based_and_never_end_before_they_start() {
        let sources = Sources::new();
        let file = sources.add("values.yaml", "a: 1\n");
        let at = |start: (u32, u32), end: (u32, u32)| {
            let pos = |(line, column)| Pos { line, column, offset: 0 };
            let l = sources.locate(FileSpan { file, span: Span { start: pos(start), end: pos(end) } });
            (l.file, l.line, l.column, l.end_line, l.end_column)
        };
        let path = || "values.yaml".to_string();
        assert_eq!(at((2, 3), (4, 1)), (path(), 2, 3, 4, 1));
        assert_eq!(at((2, 3), (2, 7)), (path(), 2, 3, 2, 7));
        assert_eq!(at((0, 0), (0, 0)), (path(), 1, 1, 1, 1));
        assert_eq!(at((2, 5), (2, 1)), (path(), 2, 5, 2, 5));
        assert_eq!(at((3, 2), (1, 1)), (path(), 3, 2, 3, 2));
    }
}
