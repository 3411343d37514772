//! Helm's two merges: `-f` files over each other (`mergeMaps` in `pkg/cli/values`), then the
//! result over the chart's values.yaml (`CoalesceValues` in `pkg/chartutil`).

use std::collections::HashMap;

use crate::source::{FileId, FileSpan, Span};
use crate::yaml::{Key, Node, NodeValue};

use super::convert::to_template_value;

/// A type conflict Helm reports on stderr while coalescing (the merge still goes on).
#[derive(Clone, Debug, PartialEq)]
pub struct CoalesceWarning {
    /// Helm's text without its `warning: ` prefix, e.g.
    /// `destination for web.image is a table. Ignoring non-table value (nginx)`.
    pub message: String,
    /// The user's value that kept its place.
    pub at: FileSpan,
    /// The chart default that was ignored.
    pub ignored: FileSpan,
}

/// The coalesced values and the warnings Helm would print while computing them.
#[derive(Clone, Debug, PartialEq)]
pub struct Coalesced {
    pub values: Node,
    pub warnings: Vec<CoalesceWarning>,
}

/// Merges `-f` files in order, later files winning: mappings merge deeply, anything else
/// (lists, scalars, `null`) replaces. A `null` is kept here; [`coalesce`] turns it into a deletion.
pub fn merge_overrides(files: &[Node]) -> Node {
    let mut merged = Node { value: NodeValue::Map(Vec::new()), file: FileId::default(), span: Span::default() };
    for file in files {
        // A file that is not a mapping has nothing to merge (`load_values` never returns one).
        if matches!(file.value, NodeValue::Map(_)) {
            merged = merge_maps(merged, file.clone());
        }
    }
    merged
}

/// Helm's `mergeMaps(a, b)`: `b` wins; both mappings merge key by key.
fn merge_maps(base: Node, over: Node) -> Node {
    let (NodeValue::Map(base_entries), NodeValue::Map(over_entries)) = (base.value, over.value) else {
        unreachable!("merge_maps is only called with two mappings")
    };
    let mut out = Entries::new(base_entries);
    for (key, value) in over_entries {
        let merged = match (out.take(&key.name), value) {
            (Some(old @ Node { value: NodeValue::Map(_), .. }), new @ Node { value: NodeValue::Map(_), .. }) => {
                merge_maps(old, new)
            }
            (_, new) => new,
        };
        out.put(key, merged);
    }
    Node { value: NodeValue::Map(out.into_vec()), file: over.file, span: over.span }
}

/// Helm's `CoalesceValues` for one chart: `user` (already merged overrides) over
/// `chart_defaults` (the chart's values.yaml). `chart_name` prefixes warning paths as Helm does.
///
/// - A `null` in the user's values deletes the key when the chart has a default for it, and
///   stays a `null` otherwise (Helm 3.17 behaviour, at every level).
/// - Mappings merge deeply; lists and scalars from the user replace the default.
/// - A mapping against a non-mapping keeps the user's value and records a warning.
pub fn coalesce(chart_name: &str, chart_defaults: &Node, user: &Node) -> Coalesced {
    let mut warnings = Vec::new();
    let mut values = user.clone();
    if !matches!(values.value, NodeValue::Map(_)) {
        values.value = NodeValue::Map(Vec::new());
    }
    let NodeValue::Map(defaults) = &chart_defaults.value else {
        return Coalesced { values, warnings };
    };
    let NodeValue::Map(user_entries) = std::mem::replace(&mut values.value, NodeValue::Null) else {
        unreachable!("made a mapping above")
    };
    let mut out = Entries::new(user_entries);
    for (key, default) in defaults {
        match out.take(&key.name) {
            None => out.set(key.clone(), default.clone()),
            Some(Node { value: NodeValue::Null, .. }) => {}
            Some(mut mine @ Node { value: NodeValue::Map(_), .. }) => {
                let path = format!("{chart_name}.{}", key.name);
                match &default.value {
                    NodeValue::Map(_) => coalesce_tables(&mut mine, default.clone(), &path, &mut warnings),
                    NodeValue::Null => {}
                    _ => warnings.push(CoalesceWarning {
                        message: format!("skipped value for {path}: Not a table."),
                        at: file_span(&mine),
                        ignored: file_span(default),
                    }),
                }
                out.restore(mine);
            }
            Some(mine) => out.restore(mine),
        }
    }
    values.value = NodeValue::Map(out.into_vec());
    Coalesced { values, warnings }
}

/// Helm's `coalesceTablesFullKey` with merge off: `dst` (higher precedence) absorbs `src`.
fn coalesce_tables(dst: &mut Node, src: Node, prefix: &str, warnings: &mut Vec<CoalesceWarning>) {
    let (NodeValue::Map(dst_entries), NodeValue::Map(src_entries)) =
        (std::mem::replace(&mut dst.value, NodeValue::Null), src.value)
    else {
        unreachable!("coalesce_tables is only called with two mappings")
    };
    let mut out = Entries::new(dst_entries);
    for (key, default) in src_entries {
        let full_key = format!("{prefix}.{}", key.name);
        match out.take(&key.name) {
            None => out.set(key, default),
            // The user's null deletes the default (and itself).
            Some(Node { value: NodeValue::Null, .. }) => {}
            Some(mut mine) => {
                match (&mine.value, &default.value) {
                    (NodeValue::Map(_), NodeValue::Map(_)) => {
                        coalesce_tables(&mut mine, default, &full_key, warnings);
                    }
                    (_, NodeValue::Map(_)) => warnings.push(CoalesceWarning {
                        message: format!(
                            "cannot overwrite table with non table for {full_key} ({})",
                            to_template_value(&default).format_v()
                        ),
                        at: file_span(&mine),
                        ignored: file_span(&default),
                    }),
                    (NodeValue::Map(_), other) if *other != NodeValue::Null => warnings.push(CoalesceWarning {
                        message: format!(
                            "destination for {full_key} is a table. Ignoring non-table value ({})",
                            to_template_value(&default).format_v()
                        ),
                        at: file_span(&mine),
                        ignored: file_span(&default),
                    }),
                    _ => {}
                }
                out.restore(mine);
            }
        }
    }
    dst.value = NodeValue::Map(out.into_vec());
}

fn file_span(node: &Node) -> FileSpan {
    FileSpan { file: node.file, span: node.span }
}

/// Mapping entries with a name index, so merging stays linear in the number of keys.
struct Entries {
    slots: Vec<Option<(Key, Node)>>,
    index: HashMap<String, usize>,
    /// The key of the entry last taken, so `restore` can put it back in place.
    taken: Option<(usize, Key)>,
}

impl Entries {
    fn new(entries: Vec<(Key, Node)>) -> Self {
        let mut index = HashMap::with_capacity(entries.len());
        let mut slots = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            index.insert(key.name.clone(), slots.len());
            slots.push(Some((key, value)));
        }
        Entries { slots, index, taken: None }
    }

    /// Removes and returns the value of `name`; `restore` puts a value back under the same key.
    fn take(&mut self, name: &str) -> Option<Node> {
        let at = *self.index.get(name)?;
        let (key, value) = self.slots.get_mut(at)?.take()?;
        self.index.remove(name);
        self.taken = Some((at, key));
        Some(value)
    }

    fn restore(&mut self, value: Node) {
        if let Some((at, key)) = self.taken.take() {
            self.index.insert(key.name.clone(), at);
            self.slots[at] = Some((key, value));
        }
    }

    /// Sets `key`, in the place of the entry just taken under the same name if there is one.
    fn put(&mut self, key: Key, value: Node) {
        match self.taken.take() {
            Some((at, taken)) if taken.name == key.name => {
                self.index.insert(key.name.clone(), at);
                self.slots[at] = Some((key, value));
            }
            _ => self.set(key, value),
        }
    }

    fn set(&mut self, key: Key, value: Node) {
        match self.index.get(&key.name) {
            Some(&at) => self.slots[at] = Some((key, value)),
            None => {
                self.index.insert(key.name.clone(), self.slots.len());
                self.slots.push(Some((key, value)));
            }
        }
    }

    fn into_vec(self) -> Vec<(Key, Node)> {
        self.slots.into_iter().flatten().collect()
    }
}
