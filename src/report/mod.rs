//! Views of the same diagnostics: human, json.
