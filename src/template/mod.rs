//! A Go `text/template` engine with Helm's and Sprig's function library.
//!
//! Parsing and execution follow Go's `text/template` as built into Helm v3.17, or into Helm
//! v4.1 ([`Templates::for_helm`]): the same output, the same error texts, Helm's rewriting of them, because Helm output must be reproduced byte
//! for byte. A [`Templates`] set is parsed once and executed many times through `&self`.
//!
//! - [`lex`] and [`parse`]: text to trees with byte offsets; Go's parse error texts.
//! - [`exec`]: the evaluator, `include` and `tpl`, output segments, and the [`Limits`] that
//!   bound hostile templates (output size, call depth, nesting, steps).
//! - [`fmt`]: Go's `Sprint`/`Sprintf`; [`helm`]: `required`, `fail`, `lookup` and Helm's error rewriting.
//!
//! Known differences from Helm: recursion stops at [`Limits`] far below Go's 100000 template
//! depth and Helm's 1000 nested includes (the texts of the errors stay Helm's); `call` has no
//! function values to call; a complex constant (`1i`, `1+2i`) fails with an error naming it when
//! it is used as a value (there is no complex128 value), though int and float64 parameters take
//! one whose imaginary part is zero, as in Go.

pub mod exec;
pub mod fmt;
pub mod funcs;
pub mod helm;
pub mod lex;
pub mod parse;
#[cfg(test)]
pub(crate) mod testkit;

use std::collections::HashMap;
use std::sync::Arc;

use crate::helm_version::HelmVersion;
use crate::source::{FileId, Pos};
use crate::value::Value;
use funcs::Function;
use parse::Tree;

/// Names the evaluator implements itself; known to the parser's function check.
const ENGINE_FUNCTIONS: [&str; 5] = ["and", "or", "call", "include", "tpl"];

/// A parsed template set: every file of a chart (and its subcharts) with their `define`s.
#[derive(Debug)]
pub struct Templates {
    trees: HashMap<String, Arc<Tree>>,
    funcs: HashMap<&'static str, Function>,
    limits: exec::Limits,
    /// Whose Go and library versions the engine follows (see [`Templates::for_helm`]).
    helm: HelmVersion,
}

/// The output of one execution.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// The raw output; Helm removes `<no value>` from it afterwards (see [`Output::without_no_value`]).
    pub text: String,
    /// Which template position wrote each stretch of `text`, in increasing offset order.
    pub segments: Vec<OutputSegment>,
}

/// A stretch of rendered output and the template text or action that wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSegment {
    /// Byte offset in the output where the segment starts; it runs to the next segment's offset.
    pub offset: usize,
    /// File of the template that wrote it (an included helper may live in another file).
    pub file: FileId,
    /// Position in that file of the text node or action.
    pub pos: Pos,
    /// For an action: the `.Values` paths it read, e.g. `[["image", "tag"]]`.
    pub values_paths: Vec<Vec<String>>,
    /// The segment copies template text verbatim, so a position inside it is at the same
    /// relative place in the template (an action's output is not).
    pub literal: bool,
}

/// A parse or execution failure, with Helm's message and where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    /// Exactly what Helm prints after `Error: `.
    pub message: String,
    /// The template (file or `define`) the innermost failure is in.
    pub template: String,
    pub file: FileId,
    pub pos: Pos,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TemplateError {}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    /// An empty set with Go's builtins, Sprig, Helm's functions and the engine functions, as
    /// Helm v3.17.2 has them.
    pub fn new() -> Self {
        Self::for_helm(HelmVersion::V3)
    }

    /// An empty set as the engine of `helm` has it. Helm 4 (v4.1.4, built with Go 1.25) differs:
    /// `range` iterates over integers, comparison errors name the two types, `mustToYaml`
    /// exists, semver errors are lower-case, and execution errors print over several lines
    /// ([`helm::format_exec_error`]).
    pub fn for_helm(helm: HelmVersion) -> Self {
        let mut funcs = HashMap::new();
        for f in funcs::all_for(helm).into_iter().chain(helm::functions()) {
            funcs.insert(f.name, f);
        }
        Templates { trees: HashMap::new(), funcs, limits: exec::Limits::default(), helm }
    }

    /// Whose engine this set follows.
    pub fn helm(&self) -> HelmVersion {
        self.helm
    }

    /// Replaces the execution bounds (output size, call depth, steps).
    #[cfg(test)]
    pub fn set_limits(&mut self, limits: exec::Limits) {
        self.limits = limits;
    }

    /// Whether `name` can be called from a template.
    pub fn is_function(&self, name: &str) -> bool {
        self.funcs.contains_key(name) || ENGINE_FUNCTIONS.contains(&name)
    }

    /// Parses `text` under `name` (e.g. "mychart/templates/deployment.yaml"); its `define`s are added,
    /// and a later definition of the same name replaces an earlier one (Helm parses deepest paths first).
    pub fn add(&mut self, name: &str, text: &str, file: FileId) -> Result<(), TemplateError> {
        let trees = parse::parse(name, text, file, &|n| self.is_function(n)).map_err(|e| TemplateError {
            message: helm::cleanup_parse_error(name, &e.message),
            template: name.to_string(),
            file,
            pos: Pos::at_offset(text, e.offset),
        })?;
        for tree in trees {
            // Go keeps an existing definition when the new one is empty (`associate`).
            if tree.is_empty() && tree.name != name && self.trees.get(&tree.name).is_some_and(|old| !old.is_empty()) {
                continue;
            }
            self.trees.insert(tree.name.clone(), Arc::new(tree));
        }
        Ok(())
    }

    /// Executes template `name` with `data` as `.` and `$`.
    pub fn execute(&self, name: &str, data: &Value) -> Result<Output, TemplateError> {
        let Some(tree) = self.trees.get(name) else {
            return Err(TemplateError {
                message: format!(
                    "template: no template {} associated with template {}",
                    lex::go_quote(name),
                    lex::go_quote(exec::ROOT_NAME)
                ),
                template: name.to_string(),
                file: FileId::default(),
                pos: Pos::default(),
            });
        };
        match exec::State::new(self).run(tree, data) {
            Ok((text, segments)) => Ok(Output { text, segments }),
            Err(e) => Err(TemplateError {
                message: helm::format_exec_error(self.helm, &helm::cleanup_exec_error(&e.message)),
                template: e.template,
                file: e.file,
                pos: e.pos,
            }),
        }
    }
}

impl Output {
    /// Removes every `<no value>` as Helm does after execution, keeping segment offsets right.
    pub fn without_no_value(self) -> Output {
        const NO_VALUE: &str = "<no value>";
        if !self.text.contains(NO_VALUE) {
            return self;
        }
        let mut text = String::with_capacity(self.text.len());
        // Map old offsets to new ones: removed ranges shift everything after them.
        let mut removed: Vec<(usize, usize)> = Vec::new(); // (old offset after removal, total removed so far)
        let mut last = 0;
        let mut total = 0;
        for (i, _) in self.text.match_indices(NO_VALUE) {
            text.push_str(&self.text[last..i]);
            last = i + NO_VALUE.len();
            total += NO_VALUE.len();
            removed.push((last, total));
        }
        text.push_str(&self.text[last..]);
        let shift = |offset: usize| -> usize {
            let k = removed.partition_point(|&(end, _)| end <= offset);
            let before = if k == 0 { 0 } else { removed[k - 1].1 };
            // An offset inside a removed range moves to its start.
            let inside = removed.get(k).map_or(0, |&(end, _)| (offset + NO_VALUE.len()).saturating_sub(end));
            offset - before - inside
        };
        let mut segments: Vec<OutputSegment> = Vec::with_capacity(self.segments.len());
        for mut segment in self.segments {
            segment.offset = shift(segment.offset);
            // A segment that wrote only `<no value>` is now empty: the next one replaces it.
            if segments.last().is_some_and(|last| last.offset == segment.offset) {
                segments.pop();
            }
            segments.push(segment);
        }
        Output { text, segments }
    }
}

#[cfg(test)]
mod tests;
