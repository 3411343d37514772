//! Test fixtures: a small block-YAML reader with real spans, and a builder for `Project`s.
//!
//! The reader covers what the fixtures use (block maps and sequences, plain and quoted scalars,
//! `[]`/`{}`/`[a, b]`, comments, `---`); it is not the product's YAML parser.

use std::sync::Arc;

use crate::diagnostic::ResourceId;
use crate::model::{
    ChartRun, EnvRun, Inventory, InventoryEntry, OutputSegment, Pinned, Project, RenderOutcome, RenderedResource,
    RenderedTemplate, TemplateFile,
};
use crate::source::{FileId, FileSpan, Pos, Sources, Span};
use crate::yaml::{Key, Node, NodeValue};

#[derive(Clone, Debug)]
struct Line {
    indent: usize,
    /// Byte offset of the content start in the text.
    start: usize,
    /// Byte offset of the content end (comments and trailing blanks removed).
    end: usize,
}

struct Reader<'t> {
    text: &'t str,
    file: FileId,
    lines: Vec<Line>,
    at: usize,
}

/// Parses the documents of a fixture YAML text.
pub fn parse_docs(text: &str, file: FileId) -> Vec<Node> {
    let mut docs = Vec::new();
    let mut offset = 0;
    let mut current = Vec::new();
    for raw in text.split_inclusive('\n') {
        let content = raw.trim_end_matches(['\n', '\r']);
        if content.trim_end() == "---" {
            docs.push(std::mem::take(&mut current));
        } else if let Some(line) = line_of(content, offset) {
            current.push(line);
        }
        offset += raw.len();
    }
    docs.push(current);
    docs.into_iter()
        .filter(|lines| !lines.is_empty())
        .map(|lines| {
            let indent = lines[0].indent;
            let mut reader = Reader { text, file, lines, at: 0 };
            reader.block(indent)
        })
        .collect()
}

/// Parses a single-document fixture (an empty text is an empty map).
pub fn parse(text: &str, file: FileId) -> Node {
    parse_docs(text, file).into_iter().next().unwrap_or(Node {
        value: NodeValue::Map(Vec::new()),
        file,
        span: Span::default(),
    })
}

fn line_of(content: &str, offset: usize) -> Option<Line> {
    let indent = content.len() - content.trim_start_matches(' ').len();
    let body = strip_comment(&content[indent..]).trim_end();
    if body.is_empty() {
        return None;
    }
    Some(Line { indent, start: offset + indent, end: offset + indent + body.len() })
}

fn strip_comment(s: &str) -> &str {
    let mut quote = None;
    let mut previous = ' ';
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if previous == ' ' || i == 0 => return &s[..i],
            _ => {}
        }
        previous = c;
    }
    s
}

impl Reader<'_> {
    fn pos(&self, offset: usize) -> Pos {
        Pos::at_offset(self.text, offset)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span { start: self.pos(start), end: self.pos(end) }
    }

    fn content(&self, line: &Line) -> &str {
        &self.text[line.start..line.end]
    }

    fn is_item(&self, line: &Line) -> bool {
        let c = self.content(line);
        c == "-" || c.starts_with("- ")
    }

    fn block(&mut self, indent: usize) -> Node {
        let line = self.lines[self.at].clone();
        if self.is_item(&line) {
            self.seq(indent)
        } else if key_split(self.content(&line)).is_some() {
            self.map(indent)
        } else {
            self.at += 1;
            self.scalar(line.start, line.end)
        }
    }

    fn seq(&mut self, indent: usize) -> Node {
        let start = self.lines[self.at].start;
        let mut items = Vec::new();
        let mut end = start;
        while let Some(line) = self.lines.get(self.at).cloned() {
            if line.indent != indent || !self.is_item(&line) {
                break;
            }
            let rest = self.content(&line)[1..].to_string();
            let pad = rest.len() - rest.trim_start().len();
            let item = if rest.trim().is_empty() {
                self.at += 1;
                self.child(indent)
            } else {
                // `- key: v` continues as a block at the column after the dash.
                let line = &mut self.lines[self.at];
                line.indent += 1 + pad;
                line.start += 1 + pad;
                let inner = line.indent;
                self.block(inner)
            };
            end = end.max(item.span.end.offset);
            items.push(item);
        }
        Node { value: NodeValue::Seq(items), file: self.file, span: self.span(start, end) }
    }

    fn child(&mut self, indent: usize) -> Node {
        match self.lines.get(self.at).cloned() {
            Some(next) if next.indent > indent => self.block(next.indent),
            Some(next) if next.indent == indent && self.is_item(&next) => self.seq(indent),
            _ => {
                let at = self.lines.get(self.at.saturating_sub(1)).map_or(0, |l| l.end);
                Node { value: NodeValue::Null, file: self.file, span: self.span(at, at) }
            }
        }
    }

    fn map(&mut self, indent: usize) -> Node {
        let start = self.lines[self.at].start;
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut end = start;
        while let Some(line) = self.lines.get(self.at).cloned() {
            if line.indent != indent || self.is_item(&line) {
                break;
            }
            let content = self.content(&line).to_string();
            let Some((key_len, value_at)) = key_split(&content) else { break };
            let name = unquote(&content[..key_len]);
            let key = Key { name, span: self.span(line.start, line.start + key_len) };
            self.at += 1;
            let value = match value_at {
                Some(v) => {
                    let value_start = line.start + v;
                    self.scalar(value_start, line.end)
                }
                None => self.child(indent),
            };
            end = end.max(value.span.end.offset).max(key.span.end.offset);
            entries.retain(|(k, _)| k.name != key.name);
            entries.push((key, value));
        }
        Node { value: NodeValue::Map(entries), file: self.file, span: self.span(start, end) }
    }

    fn scalar(&self, start: usize, end: usize) -> Node {
        let raw = &self.text[start..end];
        let span = self.span(start, end);
        let value = if raw == "[]" {
            NodeValue::Seq(Vec::new())
        } else if raw == "{}" {
            NodeValue::Map(Vec::new())
        } else if raw.starts_with('[') && raw.ends_with(']') {
            let mut items = Vec::new();
            let mut offset = start + 1;
            for part in raw[1..raw.len() - 1].split(',') {
                let lead = part.len() - part.trim_start().len();
                let s = offset + lead;
                let e = s + part.trim().len();
                items.push(self.scalar(s, e));
                offset += part.len() + 1;
            }
            NodeValue::Seq(items)
        } else {
            resolve(raw)
        };
        Node { value, file: self.file, span }
    }
}

/// `key: value` / `key:` -> (key length, offset of the value in the content).
fn key_split(content: &str) -> Option<(usize, Option<usize>)> {
    let key_end = if content.starts_with(['"', '\'']) {
        let quote = content.chars().next()?;
        content[1..].find(quote)? + 2
    } else {
        content.find(':')?
    };
    let rest = content.get(key_end..)?;
    if rest == ":" {
        return Some((key_end, None));
    }
    let after = rest.strip_prefix(": ")?;
    Some((key_end, Some(key_end + 2 + (after.len() - after.trim_start().len()))))
}

fn unquote(raw: &str) -> String {
    if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
        raw[1..raw.len() - 1].replace("\\\"", "\"")
    } else if raw.len() >= 2 && raw.starts_with('\'') && raw.ends_with('\'') {
        raw[1..raw.len() - 1].replace("''", "'")
    } else {
        raw.to_string()
    }
}

fn resolve(raw: &str) -> NodeValue {
    if raw.starts_with(['"', '\'']) {
        return NodeValue::String(unquote(raw));
    }
    match raw {
        "null" | "~" => NodeValue::Null,
        "true" => NodeValue::Bool(true),
        "false" => NodeValue::Bool(false),
        _ => match raw.parse::<i64>() {
            Ok(i) => NodeValue::Int(i),
            Err(_) => NodeValue::String(raw.to_string()),
        },
    }
}

/// Helm-style deep merge: maps merge, anything else is replaced by the later value.
pub fn merge(base: &Node, over: &Node) -> Node {
    match (&base.value, &over.value) {
        (NodeValue::Map(a), NodeValue::Map(b)) => {
            let mut entries = a.clone();
            for (key, value) in b {
                match entries.iter_mut().find(|(k, _)| k.name == key.name) {
                    Some(entry) => entry.1 = merge(&entry.1, value),
                    None => entries.push((key.clone(), value.clone())),
                }
            }
            Node { value: NodeValue::Map(entries), file: base.file, span: base.span }
        }
        _ => over.clone(),
    }
}

/// Builds a [`Project`] from fixture texts.
pub struct ProjectBuilder {
    sources: Sources,
    promotion: Vec<String>,
    charts: Vec<ChartRun>,
    config_file: Option<FileId>,
}

/// One environment to add to a chart.
pub struct EnvSpec<'a> {
    pub name: &'a str,
    pub stage: &'a str,
    /// (path relative to the root, text)
    pub overrides: &'a [(&'a str, &'a str)],
    /// Rendered output of each template: (template name, output text, reads).
    pub rendered: &'a [(&'a str, &'a str, &'a [Read<'a>])],
    /// (path, text) of the secret inventory.
    pub inventory: Option<(&'a str, &'a str)>,
    /// The pinned version and the text of driftgate.yaml it is written in (first match).
    pub version: Option<&'a str>,
}

impl Default for EnvSpec<'_> {
    fn default() -> Self {
        EnvSpec { name: "dev", stage: "dev", overrides: &[], rendered: &[], inventory: None, version: None }
    }
}

/// A stretch of rendered output written by an action that read `.Values` paths.
#[derive(Clone, Copy)]
pub struct Read<'a> {
    /// Text in the rendered output the action wrote (first occurrence).
    pub output: &'a str,
    /// Text in the template where the action is (first occurrence).
    pub action: &'a str,
    /// The `.Values` path it read, dotted (`image.tag`); empty for none.
    pub values: &'a str,
}

impl ProjectBuilder {
    pub fn new(promotion: &[&str]) -> Self {
        ProjectBuilder {
            sources: Sources::new(),
            promotion: promotion.iter().map(|s| s.to_string()).collect(),
            charts: Vec::new(),
            config_file: None,
        }
    }

    /// Registers `driftgate.yaml`.
    pub fn config(mut self, text: &str) -> Self {
        self.config_file = Some(self.sources.add("driftgate.yaml", text));
        self
    }

    /// Adds a chart at `path` with its values.yaml and templates (name relative to the chart).
    pub fn chart(mut self, path: &str, defaults: &str, templates: &[(&str, &str)], envs: &[EnvSpec]) -> Self {
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        let chart_yaml = self.sources.add(format!("{path}/Chart.yaml"), format!("name: {name}\nversion: 1.0.0\n"));
        let defaults_file = self.sources.add(format!("{path}/values.yaml"), defaults);
        let defaults = parse(defaults, defaults_file);
        let templates: Vec<TemplateFile> = templates
            .iter()
            .map(|(file, text)| TemplateFile {
                name: format!("{name}/{file}"),
                file: self.sources.add(format!("{path}/{file}"), *text),
            })
            .collect();
        let environments = envs.iter().map(|spec| self.env(path, &name, &defaults, &templates, spec)).collect();
        self.charts.push(ChartRun {
            path: path.to_string(),
            name: name.clone(),
            chart_version: None,
            chart_yaml,
            release: name.clone(),
            namespace: "default".to_string(),
            defaults,
            templates,
            environments,
        });
        self
    }

    fn env(&self, path: &str, chart: &str, defaults: &Node, templates: &[TemplateFile], spec: &EnvSpec) -> EnvRun {
        let mut override_files = Vec::new();
        let mut overrides = Vec::new();
        let mut values = defaults.clone();
        for (file, text) in spec.overrides {
            let id = self.file_id(&format!("{path}/{file}"), text);
            let node = parse(text, id);
            values = merge(&values, &node);
            override_files.push(id);
            overrides.push(node);
        }
        let mut resources = Vec::new();
        for (template, output, reads) in spec.rendered {
            let template_name = format!("{chart}/{template}");
            let template_file = templates
                .iter()
                .find(|t| t.name == template_name)
                .map(|t| t.file)
                .unwrap_or_else(|| panic!("no template {template_name}"));
            let template_text = self.sources.get(template_file).text.clone();
            let out_file = self.sources.add(format!("<rendered {}/{template_name}>", spec.name), *output);
            let mut segments = vec![OutputSegment { offset: 0, file: template_file, pos: Pos { line: 1, column: 1, offset: 0 }, values_paths: vec![] }];
            for read in reads.iter() {
                let offset = output.find(read.output).unwrap_or_else(|| panic!("{:?} not in output", read.output));
                let action = template_text.find(read.action).unwrap_or_else(|| panic!("{:?} not in template", read.action));
                let values_paths = if read.values.is_empty() {
                    vec![]
                } else {
                    vec![read.values.split('.').map(str::to_string).collect()]
                };
                segments.push(OutputSegment { offset, file: template_file, pos: Pos::at_offset(&template_text, action), values_paths });
                segments.push(OutputSegment { offset: offset + read.output.len(), file: template_file, pos: Pos::at_offset(&template_text, action + read.action.len()), values_paths: vec![] });
            }
            segments.sort_by_key(|s| s.offset);
            let rendered = Arc::new(RenderedTemplate { name: template_name, template_file, file: out_file, segments });
            for doc in parse_docs(output, out_file) {
                let text = |node: Option<&Node>| node.and_then(Node::as_str).unwrap_or_default().to_string();
                let metadata = doc.get("metadata");
                let id = ResourceId {
                    api_version: text(doc.get("apiVersion")),
                    kind: text(doc.get("kind")),
                    namespace: metadata.and_then(|m| m.get("namespace")).and_then(Node::as_str).map(str::to_string),
                    name: text(metadata.and_then(|m| m.get("name"))),
                };
                resources.push(RenderedResource { id, doc, output: rendered.clone() });
            }
        }
        let secrets = spec.inventory.map(|(file, text)| {
            let id = self.file_id(file, text);
            let node = parse(text, id);
            let entries = |key: &str| -> Vec<InventoryEntry> {
                match node.get(key).map(|n| &n.value) {
                    Some(NodeValue::Seq(items)) => items
                        .iter()
                        .map(|item| InventoryEntry {
                            name: item.get("name").and_then(Node::as_str).unwrap_or_default().to_string(),
                            keys: item.get("keys").map(|k| match &k.value {
                                NodeValue::Seq(keys) => keys.iter().filter_map(Node::as_str).map(str::to_string).collect(),
                                _ => Vec::new(),
                            }),
                            at: FileSpan { file: id, span: item.get("name").map_or(item.span, |n| n.span) },
                        })
                        .collect(),
                    _ => Vec::new(),
                }
            };
            Inventory { file: id, secrets: entries("secrets"), config_maps: entries("configMaps") }
        });
        let version = spec.version.map(|v| {
            let config = self.config_file.expect("a pinned version needs driftgate.yaml");
            let text = self.sources.get(config).text.clone();
            let needle = format!("{}: {{ version: {v} }}", spec.name);
            let at = text.find(&needle).unwrap_or_else(|| panic!("{needle:?} not in driftgate.yaml")) + needle.len() - v.len() - 2;
            let span = Span { start: Pos::at_offset(&text, at), end: Pos::at_offset(&text, at + v.len()) };
            Pinned { version: v.to_string(), at: FileSpan { file: config, span } }
        });
        let stage_index = self.promotion.iter().position(|s| s == spec.stage);
        EnvRun {
            name: spec.name.to_string(),
            stage: spec.stage.to_string(),
            stage_index,
            override_files,
            overrides,
            values,
            secrets,
            version,
            render: RenderOutcome { resources, manifest: String::new(), diagnostics: Vec::new() },
        }
    }

    /// A file shared by environments is registered once.
    fn file_id(&self, path: &str, text: &str) -> FileId {
        self.sources.find(path).map(|(id, _)| id).unwrap_or_else(|| self.sources.add(path, text))
    }

    pub fn build(self) -> Project {
        Project {
            root: "/repo".into(),
            sources: self.sources,
            promotion: self.promotion,
            kube_version: "1.33".into(),
            charts: self.charts,
            config_file: self.config_file,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_gives_real_spans() {
        let text = "image:\n  tag: latest # pinned?\nenv:\n  - name: A\n    value: \"x y\"\nlist: [a, b]\nempty: {}\n";
        let node = parse(text, FileId(3));
        let tag = node.get("image").and_then(|i| i.get("tag")).unwrap();
        assert_eq!(tag.as_str(), Some("latest"));
        assert_eq!((tag.span.start.line, tag.span.start.column, tag.span.end.column), (2, 8, 14));
        let NodeValue::Seq(env) = &node.get("env").unwrap().value else { panic!() };
        let value = env[0].get("value").unwrap();
        assert_eq!(value.as_str(), Some("x y"));
        assert_eq!((value.span.start.line, value.span.start.column), (5, 12));
        let NodeValue::Seq(list) = &node.get("list").unwrap().value else { panic!() };
        assert_eq!((list[1].as_str(), list[1].span.start.column), (Some("b"), 11));
        assert_eq!(node.get("empty").unwrap().value, NodeValue::Map(vec![]));
        assert_eq!(parse_docs("a: 1\n---\nb: 2\n", FileId(0)).len(), 2);
    }
}
