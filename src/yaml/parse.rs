//! Builds [`Node`] trees from libyaml events (the same parser go-yaml v2 ports), iteratively.

use std::collections::HashMap;

use libyaml_safer::{EventData, Mark, Parser, ScalarStyle};

use super::resolve::{self, Resolved};
use super::{Key, Node, NodeValue, YamlError};
use crate::source::{FileId, Pos, Span};

/// Deepest nesting of collections accepted; deeper input is reported, never overflows the stack.
pub const MAX_DEPTH: usize = 500;

/// Most nodes that alias expansion may add to one stream (a guard against "billion laughs").
pub const MAX_ALIAS_EXPANSION: usize = 1_000_000;

/// A mapping entry whose key has been read and whose value has not.
enum PendingKey {
    Name(Key),
    /// The `<<` merge key.
    Merge(Span),
    /// A null key: an error once its value is known (Helm's message quotes the value).
    Null(Span),
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: Pos,
        anchor: Option<String>,
        size: usize,
    },
    Map {
        entries: Vec<(Key, Node)>,
        index: HashMap<String, usize>,
        pending: Option<PendingKey>,
        start: Pos,
        anchor: Option<String>,
        size: usize,
    },
}

struct Builder {
    file: FileId,
    stack: Vec<Frame>,
    /// Anchored nodes with their size in nodes (for the expansion budget).
    anchors: HashMap<String, (Node, usize)>,
    expanded: usize,
    documents: Vec<Node>,
    root: Option<Node>,
}

fn pos(text: &str, mark: Mark) -> Pos {
    // libyaml counts the index in bytes and the column in characters, both 0-based.
    let offset = (mark.index as usize).min(text.len());
    Pos { line: mark.line as u32 + 1, column: mark.column as u32 + 1, offset }
}

/// A parse error with both our structured form and the text go-yaml v2 would print for it.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: YamlError,
    /// e.g. `yaml: line 2: mapping values are not allowed in this context`.
    pub go_text: String,
}

impl From<Failure> for YamlError {
    fn from(failure: Failure) -> YamlError {
        failure.error
    }
}

/// An error found while composing nodes; go-yaml v2 reports these without a line.
fn error_at(message: impl Into<String>, pos: Pos) -> Failure {
    let message = message.into();
    Failure { go_text: format!("yaml: {message}"), error: YamlError { message, pos } }
}

/// Converts a libyaml error. The structured position is the real one; the go-yaml text keeps
/// go-yaml v2's line quirk (0-based line for parser errors, 1-based for scanner errors, no line
/// at all on the first line).
fn convert_error(text: &str, err: &libyaml_safer::Error) -> Failure {
    let is_scanner_error = err.kind() == libyaml_safer::ErrorKind::Scanner;
    // A scanner error past the end of the text was caused by the line break we appended:
    // report it where the text really ends, as libyaml reading the text itself would.
    let at_text_end = |mark: Mark| {
        if is_scanner_error && mark.index as usize > text.len() {
            let last_line = text.rsplit('\n').next().unwrap_or("");
            let mut end = mark;
            end.index = text.len() as u64;
            end.line = text.matches('\n').count() as u64;
            end.column = last_line.chars().count() as u64;
            end
        } else {
            mark
        }
    };
    let problem_mark = at_text_end(err.problem_mark().unwrap_or_default());
    let context_mark = at_text_end(err.context_mark().unwrap_or_default());
    let mark = if err.problem_mark().is_some() { problem_mark } else { context_mark };
    let problem = err.problem();
    let message = if problem.is_empty() { "unknown problem parsing YAML content" } else { problem };
    let go_line =
        if problem_mark.line != 0 { problem_mark.line + u64::from(is_scanner_error) } else { context_mark.line };
    let go_text = if go_line != 0 { format!("yaml: line {go_line}: {message}") } else { format!("yaml: {message}") };
    Failure { error: YamlError { message: message.to_string(), pos: pos(text, mark) }, go_text }
}

/// Parses every document of `text`; see [`super::parse_documents`].
pub(crate) fn parse_documents(text: &str, file: FileId) -> Result<Vec<Node>, Failure> {
    parse_stream(text, file, false)
}

/// Parses only the first document, ignoring whatever follows it (even invalid YAML), as
/// go-yaml v2's `Unmarshal` does.
pub(crate) fn parse_first_document(text: &str, file: FileId) -> Result<Node, Failure> {
    let mut docs = parse_stream(text, file, true)?;
    Ok(docs.swap_remove(0))
}

fn parse_stream(text: &str, file: FileId, first_only: bool) -> Result<Vec<Node>, Failure> {
    // libyaml-safer 0.3.0 panics on a few inputs (a block scalar ending at the end of input
    // without a line break, a tag followed by `,` in a flow collection). The first is avoided by
    // giving it a final line break (and undoing its effect, see `undo_added_line_break`); this
    // guard turns any remaining panic into an error instead of a crash.
    match std::panic::catch_unwind(|| parse_stream_unguarded(text, file, first_only)) {
        Ok(result) => result,
        Err(_) => Err(error_at(
            "the YAML parser cannot read this input (unsupported syntax)",
            Pos { line: 1, column: 1, offset: 0 },
        )),
    }
}

fn parse_stream_unguarded(text: &str, file: FileId, first_only: bool) -> Result<Vec<Node>, Failure> {
    let added_line_break = !text.is_empty() && !text.ends_with(['\n', '\r']);
    let padded;
    let input = if added_line_break {
        padded = format!("{text}\n");
        padded.as_str()
    } else {
        text
    };
    let mut bytes = input.as_bytes();
    let mut parser = Parser::new();
    parser.set_input_string(&mut bytes);
    let mut builder =
        Builder { file, stack: Vec::new(), anchors: HashMap::new(), expanded: 0, documents: Vec::new(), root: None };
    loop {
        let event = parser.parse().map_err(|e| convert_error(text, &e))?;
        let start = pos(text, event.start_mark);
        let end = pos(text, event.end_mark);
        let end_index = event.end_mark.index as usize;
        match event.data {
            EventData::StreamStart { .. } => {}
            EventData::StreamEnd => break,
            EventData::DocumentStart { .. } => {
                builder.anchors.clear();
                builder.root = None;
            }
            EventData::DocumentEnd { .. } => {
                let root = builder.root.take().unwrap_or_else(|| builder.node(NodeValue::Null, start, start));
                builder.documents.push(root);
                if first_only {
                    break;
                }
            }
            EventData::Alias { anchor } => {
                let Some((node, size)) = builder.anchors.get(&anchor) else {
                    if builder.is_open_anchor(&anchor) {
                        return Err(error_at(format!("anchor '{anchor}' value contains itself"), start));
                    }
                    return Err(error_at(format!("unknown anchor '{anchor}' referenced"), start));
                };
                builder.expanded += size;
                if builder.expanded > MAX_ALIAS_EXPANSION {
                    return Err(error_at("document contains excessive aliasing", start));
                }
                let (node, size) = (node.clone(), *size);
                builder.finish_node(node, size, None)?;
            }
            EventData::Scalar { anchor, tag, mut value, plain_implicit, style, .. } => {
                let is_block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
                if added_line_break && is_block && end_index > text.len() {
                    undo_added_line_break(text, start.offset, &mut value);
                }
                let is_plain = style == ScalarStyle::Plain;
                let resolved = match &tag {
                    Some(tag) => resolve::resolve_tagged(tag, &value).map_err(|m| error_at(m, start))?,
                    None if is_plain && plain_implicit => resolve::resolve_plain(&value),
                    None => Resolved::Str,
                };
                let is_merge_key = is_plain && tag.is_none() && value == "<<";
                let node_value = if tag.as_deref().map(resolve::short_tag).as_deref() == Some("!!binary") {
                    NodeValue::String(
                        decode_binary(&value)
                            .ok_or_else(|| error_at("!!binary value contains invalid base64 data", start))?
                            .into(),
                    )
                } else {
                    resolved.into_node_value(&value)
                };
                let node = builder.node(node_value, start, end);
                if is_merge_key && builder.expecting_key() {
                    builder.set_pending(PendingKey::Merge(node.span));
                    continue;
                }
                builder.finish_node(node, 1, anchor)?;
            }
            EventData::SequenceStart { anchor, .. } => {
                builder.push(Frame::Seq { items: Vec::new(), start, anchor, size: 1 }, start)?;
            }
            EventData::MappingStart { anchor, .. } => {
                builder.push(
                    Frame::Map { entries: Vec::new(), index: HashMap::new(), pending: None, start, anchor, size: 1 },
                    start,
                )?;
            }
            EventData::SequenceEnd | EventData::MappingEnd => {
                let Some(frame) = builder.stack.pop() else {
                    return Err(error_at("unbalanced collection end", start));
                };
                let (value, start, anchor, size) = match frame {
                    Frame::Seq { items, start, anchor, size } => (NodeValue::Seq(items), start, anchor, size),
                    Frame::Map { entries, start, anchor, size, .. } => (NodeValue::Map(entries), start, anchor, size),
                };
                let node = builder.node(value, start, end);
                builder.finish_node(node, size, anchor)?;
            }
        }
    }
    if builder.documents.is_empty() {
        let origin = Pos { line: 1, column: 1, offset: 0 };
        let empty = builder.node(NodeValue::Null, origin, origin);
        builder.documents.push(empty);
    }
    Ok(builder.documents)
}

impl Builder {
    fn node(&self, value: NodeValue, start: Pos, end: Pos) -> Node {
        Node { value, file: self.file, span: Span { start, end } }
    }

    fn push(&mut self, frame: Frame, start: Pos) -> Result<(), Failure> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(error_at(format!("document nesting exceeds the maximum depth of {MAX_DEPTH}"), start));
        }
        self.stack.push(frame);
        Ok(())
    }

    /// Whether `name` anchors a collection that is still being read.
    fn is_open_anchor(&self, name: &str) -> bool {
        self.stack.iter().any(|frame| match frame {
            Frame::Seq { anchor, .. } | Frame::Map { anchor, .. } => anchor.as_deref() == Some(name),
        })
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { pending: None, .. }))
    }

    fn set_pending(&mut self, key: PendingKey) {
        if let Some(Frame::Map { pending, .. }) = self.stack.last_mut() {
            *pending = Some(key);
        }
    }

    /// Hands a completed node (of `size` nodes) to its parent, or makes it the document root.
    fn finish_node(&mut self, node: Node, size: usize, anchor: Option<String>) -> Result<(), Failure> {
        if let Some(anchor) = anchor {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, size: total, .. }) => {
                *total += size;
                items.push(node);
            }
            Some(Frame::Map { entries, index, pending, size: total, .. }) => {
                *total += size;
                match pending.take() {
                    None if node.value == NodeValue::Null => *pending = Some(PendingKey::Null(node.span)),
                    None => *pending = Some(PendingKey::Name(map_key(&node)?)),
                    Some(PendingKey::Null(span)) => {
                        return Err(Failure {
                            error: YamlError {
                                message: "a mapping key cannot be null (quote it to use it as a string)".into(),
                                pos: span.start,
                            },
                            go_text: format!(
                                "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                                go_sharp_v(&node, 0)
                            ),
                        });
                    }
                    Some(PendingKey::Name(key)) => set_entry(entries, index, key, node),
                    Some(PendingKey::Merge(span)) => merge_into(entries, index, node, span)?,
                }
            }
        }
        Ok(())
    }
}

/// Inserts or replaces an entry: the last duplicate wins, at the position of the first.
fn set_entry(entries: &mut Vec<(Key, Node)>, index: &mut HashMap<String, usize>, key: Key, value: Node) {
    match index.get(&key.name) {
        Some(&at) => entries[at] = (key, value),
        None => {
            index.insert(key.name.clone(), entries.len());
            entries.push((key, value));
        }
    }
}

/// go-yaml v2's `<<`: a mapping's entries are set in place (overriding keys written before the
/// `<<`); with a sequence of mappings, earlier mappings take precedence.
fn merge_into(
    entries: &mut Vec<(Key, Node)>,
    index: &mut HashMap<String, usize>,
    source: Node,
    merge_span: Span,
) -> Result<(), Failure> {
    let want_map = || error_at("map merge requires map or sequence of maps as the value", merge_span.start);
    match source.value {
        NodeValue::Map(merged) => {
            for (key, value) in merged {
                set_entry(entries, index, key, value);
            }
        }
        NodeValue::Seq(items) => {
            for item in items.into_iter().rev() {
                let NodeValue::Map(merged) = item.value else { return Err(want_map()) };
                for (key, value) in merged {
                    set_entry(entries, index, key, value);
                }
            }
        }
        _ => return Err(want_map()),
    }
    Ok(())
}

/// Stringifies a key node as `sigs.k8s.io/yaml` does after go-yaml v2 decoded it.
fn map_key(node: &Node) -> Result<Key, Failure> {
    let name = match &node.value {
        NodeValue::String(s) => s.to_string(),
        NodeValue::Int(i) => i.to_string(),
        NodeValue::Bool(b) => b.to_string(),
        NodeValue::Float(f) => match resolve::format_float32_g(*f).as_str() {
            "+Inf" => ".inf".to_string(),
            "-Inf" => "-.inf".to_string(),
            "NaN" => ".nan".to_string(),
            other => other.to_string(),
        },
        NodeValue::Null => return Err(error_at("a mapping key cannot be null", node.span.start)),
        NodeValue::Seq(_) | NodeValue::Map(_) => {
            return Err(error_at("invalid map key: a sequence or mapping cannot be a key", node.span.start));
        }
    };
    Ok(Key { name, span: node.span })
}

/// A block scalar that runs to the end of a text without a final line break got one extra
/// `\n` from the line break we appended: remove it where libyaml (reading the text as it is)
/// would not have produced it. Clip chomping keeps the break only after a content line; keep
/// chomping always gets one break more; strip chomping is unaffected.
fn undo_added_line_break(text: &str, start: usize, value: &mut String) {
    let header = text.get(start..).unwrap_or("");
    let Some(indicator_at) = header.find(['|', '>']) else { return };
    let indicators: String =
        header[indicator_at + 1..].chars().take_while(|c| matches!(c, '+' | '-' | '0'..='9')).collect();
    let last_line = text.rsplit(['\n', '\r']).next().unwrap_or("");
    let last_line_has_content = !last_line.trim_matches(' ').is_empty();
    let remove = if indicators.contains('-') {
        false
    } else if indicators.contains('+') {
        true
    } else {
        last_line_has_content
    };
    if remove && value.ends_with('\n') {
        value.pop();
    }
}

fn decode_binary(text: &str) -> Option<String> {
    use base64::Engine as _;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD.decode(compact).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Go's `%#v` of what go-yaml v2 decoded, for the one error text that prints a value.
fn go_sharp_v(node: &Node, depth: usize) -> String {
    if depth > 20 {
        return "...".into();
    }
    match &node.value {
        NodeValue::Null => "interface {}(nil)".into(),
        NodeValue::Bool(b) => b.to_string(),
        NodeValue::Int(i) => i.to_string(),
        NodeValue::Float(f) => crate::value::format_float_g(*f),
        NodeValue::String(s) => format!("{s:?}"),
        NodeValue::Seq(items) => {
            let inner: Vec<String> = items.iter().map(|n| go_sharp_v(n, depth + 1)).collect();
            format!("[]interface {{}}{{{}}}", inner.join(", "))
        }
        NodeValue::Map(entries) => {
            let inner: Vec<String> =
                entries.iter().map(|(k, v)| format!("{:?}:{}", k.name, go_sharp_v(v, depth + 1))).collect();
            format!("map[interface {{}}]interface {{}}{{{}}}", inner.join(", "))
        }
    }
}
