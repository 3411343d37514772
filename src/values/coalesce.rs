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

/// Helm's `CoalesceValues` for one chart without subcharts: `user` (already merged overrides)
/// over `chart_defaults` (the chart's values.yaml). `chart_name` prefixes warning paths as Helm
/// does.
///
/// - A `null` in the user's values deletes the key when the chart has a default for it, and
///   stays a `null` otherwise (Helm 3.17 behaviour, at every level).
/// - Mappings merge deeply; lists and scalars from the user replace the default.
/// - A mapping against a non-mapping keeps the user's value and records a warning.
#[cfg(test)]
pub fn coalesce(chart_name: &str, chart_defaults: &Node, user: &Node) -> Coalesced {
    let chart = ChartValues { name: chart_name, defaults: chart_defaults, subcharts: Vec::new() };
    match coalesce_chart(&chart, user, false) {
        Ok(coalesced) => coalesced,
        // Only subcharts can fail to merge.
        Err(_) => Coalesced { values: user.clone(), warnings: Vec::new() },
    }
}

/// A chart as the values merge sees it: the name its values live under (its alias, if any),
/// its defaults, and its enabled subcharts.
#[derive(Debug, Clone)]
pub struct ChartValues<'a> {
    pub name: &'a str,
    pub defaults: &'a Node,
    pub subcharts: Vec<ChartValues<'a>>,
}

/// Why values could not be merged into a chart's subcharts (Helm's wording).
#[derive(Clone, Debug, PartialEq)]
pub struct CoalesceError {
    pub message: String,
    /// The value that is in the way.
    pub at: FileSpan,
}

/// Helm's `CoalesceValues` (`merge` false) or `MergeValues` (`merge` true) over a chart and
/// its subcharts: each subchart's defaults fill in the table under its name, and the parent's
/// `global` values flow into every subchart's `global` (the parent's win).
/// Merging keeps `null`s where coalescing deletes the defaults they shadow.
pub fn coalesce_chart(chart: &ChartValues<'_>, user: &Node, merge: bool) -> Result<Coalesced, CoalesceError> {
    let mut warnings = Vec::new();
    let mut values = user.clone();
    if !matches!(values.value, NodeValue::Map(_)) {
        values.value = NodeValue::Map(Vec::new());
    }
    coalesce_into(chart, &mut values, "", merge, &mut warnings)?;
    Ok(Coalesced { values, warnings })
}

/// `a.b` from a prefix and a key, as Helm's `concatPrefix`.
fn concat_prefix(prefix: &str, key: &str) -> String {
    if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") }
}

fn coalesce_into(
    chart: &ChartValues<'_>,
    dest: &mut Node,
    prefix: &str,
    merge: bool,
    warnings: &mut Vec<CoalesceWarning>,
) -> Result<(), CoalesceError> {
    let sub_prefix = concat_prefix(prefix, chart.name);
    let subchart_names: Vec<&str> = chart.subcharts.iter().map(|s| s.name).collect();
    coalesce_values(chart.defaults, dest, &sub_prefix, &subchart_names, merge, warnings);
    for sub in &chart.subcharts {
        let parent_global = dest.get("global").cloned();
        let NodeValue::Map(entries) = &mut dest.value else { return Ok(()) };
        let index = match entries.iter().position(|(k, _)| k.name == sub.name) {
            Some(i) => i,
            None => {
                let empty = Node { value: NodeValue::Map(Vec::new()), file: sub.defaults.file, span: Span::default() };
                entries.push((Key { name: sub.name.to_string(), span: Span::default() }, empty));
                entries.len() - 1
            }
        };
        let Some((_, sub_values)) = entries.get_mut(index) else { continue };
        if !matches!(sub_values.value, NodeValue::Map(_)) {
            return Err(CoalesceError {
                message: format!("type mismatch on {}: {}", sub.name, go_percent_t(sub_values)),
                at: sub_values.file_span(),
            });
        }
        coalesce_globals(sub_values, parent_global.as_ref(), &sub_prefix, warnings);
        coalesce_into(sub, sub_values, &sub_prefix, merge, warnings)?;
    }
    Ok(())
}

/// Go's `%t` of a non-boolean value, as Helm's type-mismatch error prints it.
fn go_percent_t(node: &Node) -> String {
    match &node.value {
        NodeValue::Null => "%!t(<nil>)".to_string(),
        NodeValue::Bool(b) => b.to_string(),
        NodeValue::String(s) => format!("%!t(string={s})"),
        NodeValue::Int(_) | NodeValue::Float(_) => format!("%!t(float64={})", to_template_value(node).format_v()),
        NodeValue::Seq(items) => {
            let inner: Vec<String> = items.iter().map(go_percent_t).collect();
            format!("[{}]", inner.join(" "))
        }
        NodeValue::Map(_) => to_template_value(node).format_v(),
    }
}

/// Helm's `coalesceGlobals`: the parent's `global` table merged into the subchart's, the
/// parent's values winning.
fn coalesce_globals(dest: &mut Node, parent_global: Option<&Node>, prefix: &str, warnings: &mut Vec<CoalesceWarning>) {
    let NodeValue::Map(entries) = &mut dest.value else { return };
    let index = match entries.iter().position(|(k, _)| k.name == "global") {
        Some(i) => i,
        None => {
            let file = parent_global.map_or(dest.file, |g| g.file);
            entries.push((
                Key { name: "global".into(), span: Span::default() },
                Node { value: NodeValue::Map(Vec::new()), file, span: Span::default() },
            ));
            entries.len() - 1
        }
    };
    let Some((_, dest_global)) = entries.get_mut(index) else { return };
    if !matches!(dest_global.value, NodeValue::Map(_)) {
        return;
    }
    let source_entries = match parent_global.map(|g| &g.value) {
        None => return,
        Some(NodeValue::Map(source)) => source,
        Some(_) => return,
    };
    for (key, value) in source_entries {
        let NodeValue::Map(dest_entries) = &mut dest_global.value else { return };
        let existing = dest_entries.iter().position(|(k, _)| k.name == key.name);
        match (&value.value, existing) {
            (NodeValue::Map(_), None) => dest_entries.push((key.clone(), value.clone())),
            (NodeValue::Map(_), Some(i)) => {
                let Some((_, current)) = dest_entries.get_mut(i) else { continue };
                if matches!(current.value, NodeValue::Map(_)) {
                    // Top-down: the parent's table wins over the subchart's own.
                    let mut merged = value.clone();
                    coalesce_tables(&mut merged, current.clone(), &concat_prefix(prefix, &key.name), true, warnings);
                    *current = merged;
                }
            }
            (_, Some(i)) => {
                let Some((_, current)) = dest_entries.get_mut(i) else { continue };
                if !matches!(current.value, NodeValue::Map(_)) {
                    *current = value.clone();
                }
            }
            (_, None) => dest_entries.push((key.clone(), value.clone())),
        }
    }
}

/// Helm's `coalesceValues`: one chart's defaults under `dest` (the higher precedence). The
/// table of a subchart is merged, not coalesced, so a user's `null` there survives to delete
/// the subchart's own default when the subchart's turn comes (Helm 3.15+).
fn coalesce_values(
    defaults: &Node,
    dest: &mut Node,
    sub_prefix: &str,
    subchart_names: &[&str],
    merge: bool,
    warnings: &mut Vec<CoalesceWarning>,
) {
    let NodeValue::Map(defaults) = &defaults.value else { return };
    let NodeValue::Map(user_entries) = std::mem::replace(&mut dest.value, NodeValue::Null) else {
        return;
    };
    let mut out = Entries::new(user_entries);
    for (key, default) in defaults {
        match out.take(&key.name) {
            None => out.set(key.clone(), default.clone()),
            Some(Node { value: NodeValue::Null, .. }) if !merge => {}
            Some(mut mine @ Node { value: NodeValue::Map(_), .. }) => {
                let path = format!("{sub_prefix}.{}", key.name);
                match &default.value {
                    NodeValue::Map(_) => {
                        let merge = merge || subchart_names.contains(&key.name.as_str());
                        coalesce_tables(&mut mine, default.clone(), &path, merge, warnings)
                    }
                    NodeValue::Null => {}
                    _ => warnings.push(CoalesceWarning {
                        message: format!("skipped value for {path}: Not a table."),
                        at: mine.file_span(),
                        ignored: default.file_span(),
                    }),
                }
                out.restore(mine);
            }
            Some(mine) => out.restore(mine),
        }
    }
    dest.value = NodeValue::Map(out.into_vec());
}

/// Helm's `coalesceTablesFullKey`: `dst` (higher precedence) absorbs `src`. Coalescing (merge
/// off) lets a `null` in `dst` delete the key; merging keeps it.
pub(crate) fn coalesce_tables(
    dst: &mut Node,
    src: Node,
    prefix: &str,
    merge: bool,
    warnings: &mut Vec<CoalesceWarning>,
) {
    let (NodeValue::Map(dst_entries), NodeValue::Map(src_entries)) =
        (std::mem::replace(&mut dst.value, NodeValue::Null), src.value)
    else {
        unreachable!("coalesce_tables is only called with two mappings")
    };
    let mut out = Entries::new(dst_entries);
    for (key, default) in src_entries {
        let full_key = concat_prefix(prefix, &key.name);
        match out.take(&key.name) {
            None => out.set(key, default),
            // The user's null deletes the default (and itself).
            Some(Node { value: NodeValue::Null, .. }) if !merge => {}
            Some(mut mine) => {
                match (&mine.value, &default.value) {
                    (NodeValue::Map(_), NodeValue::Map(_)) => {
                        coalesce_tables(&mut mine, default, &full_key, merge, warnings);
                    }
                    (_, NodeValue::Map(_)) => warnings.push(CoalesceWarning {
                        message: format!(
                            "cannot overwrite table with non table for {full_key} ({})",
                            to_template_value(&default).format_v()
                        ),
                        at: mine.file_span(),
                        ignored: default.file_span(),
                    }),
                    (NodeValue::Map(_), other) if *other != NodeValue::Null => warnings.push(CoalesceWarning {
                        message: format!(
                            "destination for {full_key} is a table. Ignoring non-table value ({})",
                            to_template_value(&default).format_v()
                        ),
                        at: mine.file_span(),
                        ignored: default.file_span(),
                    }),
                    _ => {}
                }
                out.restore(mine);
            }
        }
    }
    dst.value = NodeValue::Map(out.into_vec());
}

/// Helm's `MergeTables(dst, src)`: `dst` wins, mappings merge deeply, `null`s are kept.
pub fn merge_tables(dst: Node, src: Node) -> Node {
    let mut dst = dst;
    if matches!((&dst.value, &src.value), (NodeValue::Map(_), NodeValue::Map(_))) {
        coalesce_tables(&mut dst, src, "", true, &mut Vec::new());
    }
    dst
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
