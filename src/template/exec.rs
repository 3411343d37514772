//! The evaluator: walks parsed trees over a [`Value`] with Go's `text/template` semantics and
//! Helm's engine functions (`include`, `tpl`), producing output and output segments.
//!
//! Errors carry Go's exact text (`template: NAME:LINE:COL: executing "NAME" at <NODE>: ...`);
//! the caller applies Helm's rewriting on top.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::Arc;

use super::OutputSegment;
use super::Templates;
use super::funcs::{Function, ParamType};
use super::lex::go_quote;
use super::parse::{self, Branch, Command, Node, Pipe, TemplateCall, Term, Tree};
use crate::source::{FileId, Pos};
use crate::value::{ListType, Map, MapType, Object, Value, write_v};

/// Go writes a binary string's raw bytes to the output; driftgate's output is UTF-8 text.
const BINARY_OUTPUT: &str = "driftgate cannot write the binary contents of a file (not UTF-8) into a manifest; \
     encode them first (b64enc) or use .Files.AsSecrets";

/// Bounds that keep a hostile template from hanging or exhausting memory or the stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes one execution may write, nested `include` and `tpl` output included.
    pub max_output_bytes: usize,
    /// Deepest nesting of `template`, `include` and `tpl` calls.
    pub max_call_depth: usize,
    /// Most evaluation steps (commands and range iterations) of one execution.
    pub max_steps: u64,
    /// Deepest nesting of control structures, parenthesised pipelines and calls together:
    /// what bounds the evaluator's use of the stack.
    pub max_nesting: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // The call depth stays far below Go's 100000 so that a 2 MiB thread stack suffices.
        Limits {
            max_output_bytes: 100 * 1024 * 1024,
            max_call_depth: 128,
            max_steps: 20_000_000,
            max_nesting: NESTING_DEFAULT,
        }
    }
}
/// Default of [`Limits::max_nesting`]; fits a 2 MiB thread stack in unoptimised builds.
const NESTING_DEFAULT: usize = 200;
/// Helm's limit on nested `include`s of one name (`recursionMaxNums`).
const INCLUDE_MAX_PER_NAME: usize = 1000;
/// The name of Helm's root template; `tpl` parses its text under it.
pub const ROOT_NAME: &str = "gotpl";

/// An execution failure with Go's message and the innermost place it happened.
#[derive(Debug, Clone)]
pub struct ExecError {
    /// Go's full error text.
    pub message: String,
    /// The template (define or file) that was executing.
    pub template: String,
    pub file: FileId,
    pub pos: Pos,
    /// Whether the position is inside a `tpl` string rather than a file.
    pub in_tpl: bool,
}

/// Errors are boxed: results stay small, which keeps the recursive evaluator's frames small.
type EResult<T> = Result<T, Box<ExecError>>;

/// How a statement list ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

/// A value together with whether Go sees it through an `interface{}` (a map element, a range
/// element). Field access on such a nil is an error; on a plain nil it yields nil.
#[derive(Clone, Debug)]
struct Scoped {
    value: Value,
    iface: bool,
}

impl Scoped {
    fn plain(value: Value) -> Self {
        Scoped { value, iface: false }
    }
}

struct Var {
    name: String,
    value: Scoped,
}

/// The output being written and where each stretch came from.
struct Sink {
    text: String,
    segments: Vec<OutputSegment>,
}

/// One execution of a template set.
pub(crate) struct State<'s> {
    set: &'s Templates,
    /// Templates visible only inside a `tpl` call (its text and its `define`s).
    overlay: Option<Arc<HashMap<String, Arc<Tree>>>>,
    vars: Vec<Var>,
    sink: Sink,
    depth: usize,
    nesting: usize,
    include_counts: HashMap<String, usize>,
    written: usize,
    steps: u64,
}

/// Where an error happened: a node's offset and its Go `String()`.
struct At<'n> {
    offset: usize,
    node: &'n dyn Display,
}

impl<'s> State<'s> {
    pub(crate) fn new(set: &'s Templates) -> Self {
        State {
            set,
            overlay: None,
            vars: Vec::new(),
            sink: Sink { text: String::new(), segments: Vec::new() },
            depth: 0,
            nesting: 0,
            include_counts: HashMap::new(),
            written: 0,
            steps: 0,
        }
    }

    /// Runs `tree` with `data` as dot and `$`; returns the output and its segments.
    pub(crate) fn run(mut self, tree: &Tree, data: &Value) -> Result<(String, Vec<OutputSegment>), Box<ExecError>> {
        self.vars.push(Var { name: "$".into(), value: Scoped::plain(data.clone()) });
        self.walk_list(tree, &Scoped::plain(data.clone()), &tree.root)?;
        Ok((self.sink.text, self.sink.segments))
    }

    fn lookup(&self, name: &str) -> Option<Arc<Tree>> {
        if let Some(overlay) = &self.overlay
            && let Some(t) = overlay.get(name)
        {
            return Some(t.clone());
        }
        self.set.trees.get(name).cloned()
    }

    #[cold]
    #[inline(never)]
    fn error(&self, tree: &Tree, at: At<'_>, message: impl Display) -> Box<ExecError> {
        let before = tree.text.get(..at.offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let column = match before.rfind('\n') {
            Some(nl) => at.offset - (nl + 1),
            None => at.offset,
        };
        Box::new(ExecError {
            message: format!(
                "template: {}:{}:{}: executing {} at <{}>: {}",
                tree.parse_name,
                line,
                column,
                go_quote(&tree.name),
                at.node,
                message
            ),
            template: tree.name.clone(),
            file: tree.file,
            pos: Pos::at_offset(&tree.text, at.offset),
            in_tpl: tree.parse_name == ROOT_NAME,
        })
    }

    /// Wraps the failure of a nested execution as `error calling NAME: ...` at `at`.
    #[cold]
    #[inline(never)]
    fn wrap_call_error(&self, tree: &Tree, at: At<'_>, name: &str, inner: ExecError) -> Box<ExecError> {
        let mut outer = self.error(tree, at, format!("error calling {name}: {}", inner.message));
        if !inner.in_tpl {
            outer.template = inner.template;
            outer.file = inner.file;
            outer.pos = inner.pos;
        }
        outer
    }

    fn step(&mut self, tree: &Tree, at: At<'_>) -> EResult<()> {
        self.steps += 1;
        if self.steps > self.set.limits.max_steps {
            return Err(self.error(
                tree,
                at,
                format!("execution exceeds the limit of {} steps", self.set.limits.max_steps),
            ));
        }
        Ok(())
    }

    fn write(
        &mut self,
        tree: &Tree,
        at: At<'_>,
        pos: Pos,
        text: &str,
        values_paths: &[Vec<String>],
        literal: bool,
    ) -> EResult<()> {
        if text.is_empty() {
            return Ok(());
        }
        self.written += text.len();
        if self.written > self.set.limits.max_output_bytes {
            return Err(self.error(
                tree,
                at,
                format!("output exceeds the limit of {} bytes", self.set.limits.max_output_bytes),
            ));
        }
        let same = self.sink.segments.last().is_some_and(|s| s.file == tree.file && s.pos == pos);
        if !same {
            self.sink.segments.push(OutputSegment {
                offset: self.sink.text.len(),
                file: tree.file,
                pos,
                values_paths: values_paths.to_vec(),
                literal,
            });
        }
        self.sink.text.push_str(text);
        Ok(())
    }

    fn walk_list(&mut self, tree: &Tree, dot: &Scoped, nodes: &[Node]) -> EResult<Flow> {
        for node in nodes {
            let flow = self.walk(tree, dot, node)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, tree: &Tree, dot: &Scoped, node: &Node) -> EResult<Flow> {
        match node {
            Node::Text { pos, text } => {
                self.write(tree, At { offset: pos.offset, node: &"" }, *pos, text, &[], true)?;
            }
            Node::Comment => {}
            Node::Action(action) => {
                let value = self.eval_pipeline(tree, dot, &action.pipe)?;
                if action.pipe.decl.is_empty() {
                    let mut text = String::new();
                    match &value {
                        Value::Nil => text.push_str("<no value>"),
                        Value::Object(o) => text.push_str(&o.format_action()),
                        Value::BinaryString(_) => {
                            let at = At { offset: action.pos.offset, node: &"" };
                            return Err(self.error(tree, at, BINARY_OUTPUT.to_string()));
                        }
                        v => write_v(&mut text, v),
                    }
                    let at = At { offset: action.pos.offset, node: &"" };
                    self.write(tree, at, action.pos, &text, &action.values_paths, false)?;
                }
            }
            Node::If(branch) | Node::With(branch) | Node::Range(branch) => {
                self.enter(tree, At { offset: branch.pipe.offset, node: &branch.pipe })?;
                let flow = match node {
                    Node::If(_) => self.walk_if_or_with(tree, dot, branch, false),
                    Node::With(_) => self.walk_if_or_with(tree, dot, branch, true),
                    _ => self.walk_range(tree, dot, branch),
                };
                self.nesting -= 1;
                return flow;
            }
            Node::Template(call) => {
                self.enter(tree, At { offset: call.offset, node: call })?;
                let result = self.walk_template(tree, dot, call);
                self.nesting -= 1;
                result?;
            }
            Node::Break => return Ok(Flow::Break),
            Node::Continue => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    /// Counts one more level of evaluator nesting; fails past [`Limits::max_nesting`].
    fn enter(&mut self, tree: &Tree, at: At<'_>) -> EResult<()> {
        if self.nesting >= self.set.limits.max_nesting {
            let msg = format!("exceeded maximum nesting depth ({})", self.set.limits.max_nesting);
            return Err(self.error(tree, at, msg));
        }
        self.nesting += 1;
        Ok(())
    }

    fn walk_if_or_with(&mut self, tree: &Tree, dot: &Scoped, branch: &Branch, with: bool) -> EResult<Flow> {
        let mark = self.vars.len();
        let value = self.eval_pipeline(tree, dot, &branch.pipe)?;
        let flow = if value.is_truthy() {
            if with {
                self.walk_list(tree, &Scoped::plain(value), &branch.list)?
            } else {
                self.walk_list(tree, dot, &branch.list)?
            }
        } else if let Some(else_list) = &branch.else_list {
            self.walk_list(tree, dot, else_list)?
        } else {
            Flow::Normal
        };
        self.vars.truncate(mark);
        Ok(flow)
    }

    fn walk_range(&mut self, tree: &Tree, dot: &Scoped, branch: &Branch) -> EResult<Flow> {
        let mark = self.vars.len();
        let value = self.eval_pipeline(tree, dot, &branch.pipe)?;
        let body_mark = self.vars.len();
        let decls = branch.pipe.decl.len();
        let at_offset = last_term(&branch.pipe).map_or(branch.pipe.offset, |t| t.offset());
        let mut ran = false;
        let iterate = |state: &mut Self, index: Value, elem: Value| -> EResult<Flow> {
            state.step(tree, At { offset: at_offset, node: &branch.pipe })?;
            // Go sets the topmost variables, even when the range pipeline assigned rather than declared.
            let n = state.vars.len();
            if decls > 0
                && let Some(var) = n.checked_sub(1).and_then(|i| state.vars.get_mut(i))
            {
                var.value = Scoped { value: elem.clone(), iface: true };
            }
            if decls > 1
                && let Some(var) = n.checked_sub(2).and_then(|i| state.vars.get_mut(i))
            {
                var.value = Scoped::plain(index);
            }
            let flow = state.walk_list(tree, &Scoped { value: elem, iface: true }, &branch.list)?;
            state.vars.truncate(body_mark);
            Ok(flow)
        };
        match &value {
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    ran = true;
                    if iterate(self, Value::Int(i as i64), item.clone())? == Flow::Break {
                        break;
                    }
                }
            }
            Value::Bytes(bytes) => {
                for (i, b) in bytes.iter().enumerate() {
                    ran = true;
                    if iterate(self, Value::Int(i as i64), Value::Int(*b as i64))? == Flow::Break {
                        break;
                    }
                }
            }
            Value::Map(map) => {
                // Go sorts and copies the entries before the first iteration, so the body may
                // change the map without changing what is iterated.
                let entries: Vec<(Value, Value)> =
                    map.with_read(|m| m.iter().map(|(k, v)| (Value::str(k.as_str()), v.clone())).collect());
                for (k, v) in entries {
                    ran = true;
                    if iterate(self, k, v)? == Flow::Break {
                        break;
                    }
                }
            }
            Value::Object(object) if let Some(map) = object.map_entries() => {
                for (k, v) in map {
                    ran = true;
                    if iterate(self, Value::str(k.as_str()), v)? == Flow::Break {
                        break;
                    }
                }
            }
            Value::Nil => {}
            // Go 1.22+ (Helm 4) ranges over an integer: 0 to n-1, of the same type.
            Value::Int(n) | Value::Int64(n) if self.set.helm().is_v4() => {
                if decls > 1 {
                    let term = last_term(&branch.pipe);
                    let at = match term {
                        Some(t) => At { offset: t.offset(), node: t },
                        None => At { offset: branch.pipe.offset, node: &branch.pipe },
                    };
                    let message = format!("can't use {} to iterate over more than one variable", value.format_v());
                    return Err(self.error(tree, at, message));
                }
                for i in 0..*n {
                    ran = true;
                    let item = if matches!(value, Value::Int64(_)) { Value::Int64(i) } else { Value::Int(i) };
                    if iterate(self, item.clone(), item)? == Flow::Break {
                        break;
                    }
                }
            }
            other => {
                let term = last_term(&branch.pipe);
                let at = match term {
                    Some(t) => At { offset: t.offset(), node: t },
                    None => At { offset: branch.pipe.offset, node: &branch.pipe },
                };
                return Err(self.error(tree, at, format!("range can't iterate over {}", other.format_v())));
            }
        }
        if !ran && let Some(else_list) = &branch.else_list {
            let flow = self.walk_list(tree, dot, else_list)?;
            self.vars.truncate(mark);
            return Ok(flow);
        }
        self.vars.truncate(mark);
        Ok(Flow::Normal)
    }

    fn walk_template(&mut self, tree: &Tree, dot: &Scoped, call: &TemplateCall) -> EResult<()> {
        let at = At { offset: call.offset, node: call };
        let Some(target) = self.lookup(&call.name) else {
            return Err(self.error(tree, at, format!("template {} not defined", go_quote(&call.name))));
        };
        if self.depth >= self.set.limits.max_call_depth {
            return Err(self.error(
                tree,
                at,
                format!("exceeded maximum template depth ({})", self.set.limits.max_call_depth),
            ));
        }
        let data = match &call.pipe {
            Some(pipe) => self.eval_pipeline(tree, dot, pipe)?,
            None => Value::Nil,
        };
        let saved =
            std::mem::replace(&mut self.vars, vec![Var { name: "$".into(), value: Scoped::plain(data.clone()) }]);
        self.depth += 1;
        let result = self.walk_list(&target, &Scoped::plain(data), &target.root);
        self.depth -= 1;
        self.vars = saved;
        result.map(|_| ())
    }

    fn eval_pipeline(&mut self, tree: &Tree, dot: &Scoped, pipe: &Pipe) -> EResult<Value> {
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(tree, dot, cmd, value)?);
        }
        let value = value.unwrap_or_default();
        for name in &pipe.decl {
            if pipe.is_assign {
                match self.vars.iter_mut().rev().find(|v| &v.name == name) {
                    Some(var) => var.value = Scoped::plain(value.clone()),
                    None => {
                        let at = match last_term(pipe) {
                            Some(t) => At { offset: t.offset(), node: t },
                            None => At { offset: pipe.offset, node: pipe },
                        };
                        return Err(self.error(tree, at, format!("undefined variable: {name}")));
                    }
                }
            } else {
                self.vars.push(Var { name: name.clone(), value: Scoped::plain(value.clone()) });
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, tree: &Tree, cmd: &Command, final_value: &Option<Value>) -> EResult<()> {
        if cmd.args.len() > 1 || final_value.is_some() {
            let first = &cmd.args[0];
            let at = At { offset: first.offset(), node: first };
            return Err(self.error(tree, at, format!("can't give argument to non-function {first}")));
        }
        Ok(())
    }

    fn eval_command(&mut self, tree: &Tree, dot: &Scoped, cmd: &Command, final_value: Option<Value>) -> EResult<Value> {
        self.step(tree, At { offset: cmd.offset, node: cmd })?;
        let Some(first) = cmd.args.first() else {
            return Ok(Value::Nil);
        };
        let rest = &cmd.args[1..];
        match first {
            Term::Field { idents, .. } => {
                self.eval_field_chain(tree, dot, dot.clone(), first, idents, rest, final_value).map(|s| s.value)
            }
            Term::Chain { node, fields, .. } => {
                let receiver = self.eval_chain_receiver(tree, dot, first, node)?;
                let blamed = last_evaluated(node);
                self.eval_field_chain(tree, dot, receiver, blamed, fields, rest, final_value).map(|s| s.value)
            }
            Term::Identifier { name, .. } => {
                let at = At { offset: cmd.offset, node: cmd };
                self.eval_function(tree, dot, first, name, at, rest, final_value)
            }
            Term::Pipe(pipe) => {
                self.not_a_function(tree, cmd, &final_value)?;
                self.enter(tree, At { offset: pipe.offset, node: pipe })?;
                let value = self.eval_pipeline(tree, dot, pipe);
                self.nesting -= 1;
                value
            }
            Term::Variable { idents, .. } => {
                let value = self.var_value(tree, first, &idents[0])?;
                if idents.len() == 1 {
                    self.not_a_function(tree, cmd, &final_value)?;
                    return Ok(value.value);
                }
                self.eval_field_chain(tree, dot, value, first, &idents[1..], rest, final_value).map(|s| s.value)
            }
            _ => self.eval_literal_command(tree, dot, cmd, first, &final_value),
        }
    }

    #[inline(never)]
    fn eval_literal_command(
        &self,
        tree: &Tree,
        dot: &Scoped,
        cmd: &Command,
        first: &Term,
        final_value: &Option<Value>,
    ) -> EResult<Value> {
        self.not_a_function(tree, cmd, final_value)?;
        match first {
            Term::Bool { value, .. } => Ok(Value::Bool(*value)),
            Term::Dot { .. } => Ok(dot.value.clone()),
            Term::Nil { offset } => Err(self.error(tree, At { offset: *offset, node: first }, "nil is not a command")),
            Term::Number(n) => self.ideal_constant(tree, first, n),
            Term::String { text, .. } => Ok(Value::str(text.as_str())),
            _ => Ok(Value::Nil),
        }
    }

    fn var_value(&self, tree: &Tree, term: &Term, name: &str) -> EResult<Scoped> {
        match self.vars.iter().rev().find(|v| v.name == name) {
            Some(v) => Ok(v.value.clone()),
            None => {
                Err(self.error(tree, At { offset: term.offset(), node: term }, format!("undefined variable: {name}")))
            }
        }
    }

    /// Go's `idealConstant`: the value of a number constant where no parameter type asks for
    /// one. The spelling decides: `1e3` and `0x1p4` are float64, `0x1e` and `'a'` are int.
    fn ideal_constant(&self, tree: &Tree, term: &Term, n: &parse::NumberLit) -> EResult<Value> {
        let text = n.text.as_str();
        if n.is_complex {
            // Go makes a complex128 here; a parameter of type int or float64 takes the constant
            // without one (`repeat 2+0i`), see `eval_arg`.
            let msg = format!("complex constant {text} is not supported (driftgate has no complex128 values)");
            return Err(self.error(tree, At { offset: n.offset, node: term }, msg));
        }
        let is_hex_int = text.len() > 2
            && text.starts_with('0')
            && matches!(text.as_bytes()[1], b'x' | b'X')
            && !text.contains(['p', 'P']);
        let is_rune = text.starts_with('\'');
        if n.is_float && !is_hex_int && !is_rune && text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Value::Float(n.float));
        }
        if n.is_int {
            return Ok(Value::Int(n.int));
        }
        Err(self.error(tree, At { offset: n.offset, node: term }, format!("{text} overflows int")))
    }

    fn eval_chain_receiver(&mut self, tree: &Tree, dot: &Scoped, chain: &Term, node: &Term) -> EResult<Scoped> {
        if let Term::Nil { .. } = node {
            let at = At { offset: chain.offset(), node: chain };
            return Err(self.error(tree, at, format!("indirection through explicit nil in {chain}")));
        }
        let value = self.eval_arg(tree, dot, ParamType::Any, node)?;
        Ok(Scoped::plain(value))
    }

    /// Evaluates `.a.b.c` on `receiver`; the last element gets the command's arguments.
    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        tree: &Tree,
        dot: &Scoped,
        mut receiver: Scoped,
        node: &Term,
        idents: &[String],
        args: &[Term],
        final_value: Option<Value>,
    ) -> EResult<Scoped> {
        let Some((last, init)) = idents.split_last() else {
            return Ok(receiver);
        };
        for name in init {
            receiver = self.eval_field(tree, dot, node, name, &[], None, receiver)?;
        }
        self.eval_field(tree, dot, node, last, args, final_value, receiver)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        tree: &Tree,
        dot: &Scoped,
        node: &Term,
        name: &str,
        args: &[Term],
        final_value: Option<Value>,
        receiver: Scoped,
    ) -> EResult<Scoped> {
        let at = || At { offset: node.offset(), node };
        let has_args = !args.is_empty() || final_value.is_some();
        match &receiver.value {
            Value::Nil if !receiver.iface => Ok(Scoped::plain(Value::Nil)),
            Value::Nil => Err(self.error(tree, at(), format!("nil pointer evaluating interface {{}}.{name}"))),
            Value::Map(map) => {
                if has_args {
                    return Err(self.error(tree, at(), format!("{name} is not a method but has arguments")));
                }
                Ok(Scoped { value: map.get(name).unwrap_or_default(), iface: true })
            }
            Value::Object(_) | Value::List(_) if let Some(object) = receiver_methods(&receiver.value) => {
                let signature = object.method_signature(name);
                if signature.is_none()
                    && !has_args
                    && let Some(v) = object.field(name)
                {
                    return Ok(Scoped::plain(v));
                }
                if signature.is_none() && has_args && object.field(name).is_some() {
                    return Err(self.error(
                        tree,
                        at(),
                        format!("{name} has arguments but cannot be invoked as function"),
                    ));
                }
                let argv = match signature {
                    Some((params, variadic)) => {
                        self.eval_args(tree, dot, name, params, variadic, node, args, final_value)?
                    }
                    None => {
                        let mut argv = Vec::with_capacity(args.len() + 1);
                        for arg in args {
                            argv.push(self.eval_arg(tree, dot, ParamType::Any, arg)?);
                        }
                        argv.extend(final_value);
                        argv
                    }
                };
                match object.call_method(name, &argv) {
                    Some(Ok(v)) => Ok(Scoped::plain(v)),
                    Some(Err(e)) => Err(self.error(tree, at(), format!("error calling {name}: {e}"))),
                    None => {
                        let type_name = if receiver.iface { "interface {}" } else { object.type_name() };
                        Err(self.error(tree, at(), format!("can't evaluate field {name} in type {type_name}")))
                    }
                }
            }
            other => {
                let type_name = if receiver.iface { "interface {}" } else { other.type_name() };
                Err(self.error(tree, at(), format!("can't evaluate field {name} in type {type_name}")))
            }
        }
    }

    /// Calls the function `name`; `call_at` is the node Go blames for errors returned by the call.
    #[allow(clippy::too_many_arguments)]
    fn eval_function(
        &mut self,
        tree: &Tree,
        dot: &Scoped,
        ident: &Term,
        name: &str,
        call_at: At<'_>,
        args: &[Term],
        final_value: Option<Value>,
    ) -> EResult<Value> {
        let ident_at = || At { offset: ident.offset(), node: ident };
        if matches!(name, "and" | "or" | "call") {
            return self.eval_special_function(tree, dot, ident, name, call_at, args, final_value);
        }
        let (params, variadic): (&[ParamType], bool) = match name {
            "include" => (&[ParamType::String, ParamType::Any], false),
            "tpl" => (&[ParamType::String, ParamType::Any], false),
            _ => match self.set.funcs.get(name) {
                Some(f) => (f.params, f.variadic),
                None => {
                    return Err(self.error(tree, ident_at(), format!("{} is not a defined function", go_quote(name))));
                }
            },
        };
        let argv = self.eval_args(tree, dot, name, params, variadic, ident, args, final_value)?;
        match name {
            "include" => self.call_include(tree, call_at, &argv),
            "tpl" => self.call_tpl(tree, call_at, &argv),
            _ => {
                let Some(function) = self.set.funcs.get(name).copied() else {
                    return Ok(Value::Nil);
                };
                self.call_native(tree, call_at, &function, &argv)
            }
        }
    }

    /// `and` and `or` (short-circuit, returning the deciding operand) and `call`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn eval_special_function(
        &mut self,
        tree: &Tree,
        dot: &Scoped,
        ident: &Term,
        name: &str,
        call_at: At<'_>,
        args: &[Term],
        final_value: Option<Value>,
    ) -> EResult<Value> {
        let ident_at = || At { offset: ident.offset(), node: ident };
        let num_in = args.len() + usize::from(final_value.is_some());
        match name {
            "and" | "or" => {
                if num_in < 1 {
                    let msg = format!("wrong number of args for {name}: want at least 1 got {}", args.len());
                    return Err(self.error(tree, ident_at(), msg));
                }
                let stop_on = name == "or";
                let mut last = Value::Nil;
                for arg in args {
                    last = self.eval_arg(tree, dot, ParamType::Any, arg)?;
                    if last.is_truthy() == stop_on {
                        return Ok(last);
                    }
                }
                if let Some(f) = final_value {
                    last = f;
                }
                Ok(last)
            }
            _ => {
                if num_in < 1 {
                    let msg = format!("wrong number of args for call: want at least 1 got {}", args.len());
                    return Err(self.error(tree, ident_at(), msg));
                }
                let (fn_value, fn_name) = match args.first() {
                    Some(a) => (self.eval_arg(tree, dot, ParamType::Any, a)?, a.to_string()),
                    None => (final_value.clone().unwrap_or_default(), "<nil>".to_string()),
                };
                let msg = match fn_value {
                    Value::Nil => "error calling call: call of nil".to_string(),
                    v => format!("error calling call: non-function {fn_name} of type {}", v.type_name()),
                };
                Err(self.error(tree, call_at, msg))
            }
        }
    }

    /// Checks the argument count and evaluates the arguments against the declared parameter
    /// types, as Go's `evalCall` does; `blamed` is the node named in count errors.
    #[allow(clippy::too_many_arguments)]
    fn eval_args(
        &mut self,
        tree: &Tree,
        dot: &Scoped,
        name: &str,
        params: &[ParamType],
        variadic: bool,
        blamed: &Term,
        args: &[Term],
        final_value: Option<Value>,
    ) -> EResult<Vec<Value>> {
        let blamed_at = || At { offset: blamed.offset(), node: blamed };
        let num_in = args.len() + usize::from(final_value.is_some());
        let num_fixed = if variadic { params.len().saturating_sub(1) } else { args.len() };
        if variadic {
            if num_in < num_fixed {
                let msg = format!("wrong number of args for {name}: want at least {num_fixed} got {}", args.len());
                return Err(self.error(tree, blamed_at(), msg));
            }
        } else if num_in != params.len() {
            let msg = format!("wrong number of args for {name}: want {} got {num_in}", params.len());
            return Err(self.error(tree, blamed_at(), msg));
        }
        let mut argv = Vec::with_capacity(num_in);
        for (i, arg) in args.iter().enumerate() {
            let param = param_at(params, variadic, i);
            argv.push(self.eval_arg(tree, dot, param, arg)?);
        }
        if let Some(f) = final_value {
            let param = param_at(params, variadic, num_in - 1);
            let last_at = match args.last() {
                Some(a) => At { offset: a.offset(), node: a },
                None => blamed_at(),
            };
            argv.push(self.validate(tree, last_at, Scoped::plain(f), param)?);
        }
        Ok(argv)
    }

    fn call_native(&mut self, tree: &Tree, at: At<'_>, function: &Function, argv: &[Value]) -> EResult<Value> {
        match (function.call)(argv) {
            Ok(v) => {
                if let Value::String(s) = &v
                    && s.len() > self.set.limits.max_output_bytes
                {
                    return Err(self.error(
                        tree,
                        at,
                        format!("output exceeds the limit of {} bytes", self.set.limits.max_output_bytes),
                    ));
                }
                Ok(v)
            }
            Err(e) => Err(self.error(tree, at, format!("error calling {}: {}", function.name, e))),
        }
    }

    fn call_include(&mut self, tree: &Tree, at: At<'_>, argv: &[Value]) -> EResult<Value> {
        let name = argv.first().and_then(Value::as_str).unwrap_or_default().to_string();
        let data = argv.get(1).cloned().unwrap_or_default();
        let count = self.include_counts.get(&name).copied().unwrap_or(0);
        if count > INCLUDE_MAX_PER_NAME {
            let msg = format!(
                "error calling include: rendering template has a nested reference name: {name}: unable to execute template"
            );
            return Err(self.error(tree, at, msg));
        }
        let Some(target) = self.lookup(&name) else {
            let msg = format!(
                "error calling include: template: no template {} associated with template {}",
                go_quote(&name),
                go_quote(ROOT_NAME)
            );
            return Err(self.error(tree, at, msg));
        };
        if self.depth >= self.set.limits.max_call_depth {
            let msg = format!(
                "error calling include: rendering template has a nested reference name: {name}: unable to execute template"
            );
            return Err(self.error(tree, at, msg));
        }
        *self.include_counts.entry(name.clone()).or_insert(0) += 1;
        let result = self.run_nested(&target, data);
        if let Some(c) = self.include_counts.get_mut(&name) {
            *c -= 1;
        }
        match result {
            Ok(text) => Ok(Value::str(text)),
            Err(inner) => Err(self.wrap_call_error(tree, at, "include", *inner)),
        }
    }

    /// Executes `target` into a fresh buffer with its own variables, as a nested `Execute` does.
    fn run_nested(&mut self, target: &Tree, data: Value) -> EResult<String> {
        let saved_vars =
            std::mem::replace(&mut self.vars, vec![Var { name: "$".into(), value: Scoped::plain(data.clone()) }]);
        let saved_sink = std::mem::replace(&mut self.sink, Sink { text: String::new(), segments: Vec::new() });
        self.depth += 1;
        let result = match self.enter(target, At { offset: 0, node: &"" }) {
            Ok(()) => {
                let result = self.walk_list(target, &Scoped::plain(data), &target.root);
                self.nesting -= 1;
                result
            }
            Err(e) => Err(e),
        };
        self.depth -= 1;
        self.vars = saved_vars;
        let sink = std::mem::replace(&mut self.sink, saved_sink);
        result.map(|_| sink.text)
    }

    fn call_tpl(&mut self, tree: &Tree, at: At<'_>, argv: &[Value]) -> EResult<Value> {
        let text = argv.first().and_then(Value::as_str).unwrap_or_default().to_string();
        let vals = argv.get(1).cloned().unwrap_or_default();
        if self.depth >= self.set.limits.max_call_depth {
            return Err(self.error(
                tree,
                at,
                format!("exceeded maximum template depth ({})", self.set.limits.max_call_depth),
            ));
        }
        let trees = match parse::parse(ROOT_NAME, &text, tree.file, &|n| self.set.is_function(n)) {
            Ok(trees) => trees,
            Err(e) => {
                let msg = format!("error calling tpl: cannot parse template {}: {}", go_quote(&text), e.message);
                return Err(self.error(tree, at, msg));
            }
        };
        let mut overlay: HashMap<String, Arc<Tree>> = match &self.overlay {
            Some(o) => (**o).clone(),
            None => HashMap::new(),
        };
        let mut main = None;
        for t in trees {
            let t = Arc::new(t);
            if t.name == ROOT_NAME {
                main = Some(t.clone());
            } else if !t.is_empty() || self.lookup(&t.name).is_none() {
                overlay.insert(t.name.clone(), t.clone());
            }
        }
        let Some(main) = main else {
            return Ok(Value::str(""));
        };
        overlay.insert(ROOT_NAME.to_string(), main.clone());
        let saved_overlay = self.overlay.replace(Arc::new(overlay));
        let result = self.run_nested(&main, vals);
        self.overlay = saved_overlay;
        match result {
            Ok(out) => Ok(Value::str(out.replace("<no value>", ""))),
            Err(inner) => {
                let message = format!("error during tpl function execution for {}: {}", go_quote(&text), inner.message);
                Err(self.wrap_call_error(tree, at, "tpl", ExecError { message, ..*inner }))
            }
        }
    }

    /// Evaluates an argument for a parameter of type `param` (Go's `evalArg`).
    fn eval_arg(&mut self, tree: &Tree, dot: &Scoped, param: ParamType, term: &Term) -> EResult<Value> {
        let at = || At { offset: term.offset(), node: term };
        let value = match term {
            Term::Dot { .. } => dot.clone(),
            Term::Nil { .. } => {
                return match param {
                    ParamType::Any => Ok(Value::Nil),
                    ParamType::List | ParamType::StringList => Ok(Value::list(Vec::new())),
                    ParamType::Map => Ok(Value::map(Map::new())),
                    _ => Err(self.error(tree, at(), format!("cannot assign nil to {}", param_name(param)))),
                };
            }
            Term::Field { idents, .. } => self.eval_field_chain(tree, dot, dot.clone(), term, idents, &[], None)?,
            Term::Variable { idents, .. } => {
                let value = self.var_value(tree, term, &idents[0])?;
                if idents.len() == 1 {
                    value
                } else {
                    self.eval_field_chain(tree, dot, value, term, &idents[1..], &[], None)?
                }
            }
            Term::Pipe(pipe) => {
                self.enter(tree, at())?;
                let value = self.eval_pipeline(tree, dot, pipe);
                self.nesting -= 1;
                Scoped::plain(value?)
            }
            Term::Identifier { name, .. } => {
                Scoped::plain(self.eval_function(tree, dot, term, name, at(), &[], None)?)
            }
            Term::Chain { node, fields, .. } => {
                let receiver = self.eval_chain_receiver(tree, dot, term, node)?;
                self.eval_field_chain(tree, dot, receiver, last_evaluated(node), fields, &[], None)?
            }
            Term::Bool { value, .. } => {
                return match param {
                    ParamType::Bool | ParamType::Any => Ok(Value::Bool(*value)),
                    _ => self.literal_mismatch(tree, term, param),
                };
            }
            Term::String { text, .. } => {
                return match param {
                    ParamType::String | ParamType::Any => Ok(Value::str(text.as_str())),
                    _ => self.literal_mismatch(tree, term, param),
                };
            }
            Term::Number(n) => {
                return match param {
                    ParamType::Any => self.ideal_constant(tree, term, n),
                    ParamType::Int if n.is_int => Ok(Value::Int(n.int)),
                    ParamType::Int64 if n.is_int => Ok(Value::Int64(n.int)),
                    ParamType::Float64 if n.is_float => Ok(Value::Float(n.float)),
                    _ => self.literal_mismatch(tree, term, param),
                };
            }
        };
        self.validate(tree, at(), value, param)
    }

    fn literal_mismatch(&self, tree: &Tree, term: &Term, param: ParamType) -> EResult<Value> {
        let expected = match param {
            ParamType::Bool => "bool",
            ParamType::String => "string",
            ParamType::Int | ParamType::Int64 => "integer",
            ParamType::Float64 => "float",
            _ => {
                let msg = format!("can't handle {term} for arg of type {}", param_name(param));
                return Err(self.error(tree, At { offset: term.offset(), node: term }, msg));
            }
        };
        Err(self.error(tree, At { offset: term.offset(), node: term }, format!("expected {expected}; found {term}")))
    }

    /// Go's `validateType`: checks a computed value against a parameter type.
    fn validate(&self, tree: &Tree, at: At<'_>, value: Scoped, param: ParamType) -> EResult<Value> {
        let iface = value.iface;
        let value = value.value;
        let ok = match (&value, param) {
            (_, ParamType::Any) => true,
            // A nil seen through interface{} has a type, so it is not assignable either.
            (Value::Nil, _) if iface => {
                let msg = format!("wrong type for value; expected {}; got interface {{}}", param_name(param));
                return Err(self.error(tree, at, msg));
            }
            (Value::Nil, ParamType::List | ParamType::StringList) => return Ok(Value::list(Vec::new())),
            (Value::Nil, ParamType::Map) => return Ok(Value::map(Map::new())),
            (Value::Nil, _) => {
                return Err(self.error(tree, at, format!("invalid value; expected {}", param_name(param))));
            }
            (Value::String(_) | Value::BinaryString(_), ParamType::String)
            | (Value::Int(_), ParamType::Int)
            | (Value::Int64(_), ParamType::Int64)
            | (Value::Float(_), ParamType::Float64)
            | (Value::Bool(_), ParamType::Bool) => true,
            // A named slice type (`chartutil.VersionSet`) is not assignable to `[]interface {}`.
            (Value::List(list), ParamType::List) => list.list_type() == ListType::Plain,
            // Go converts a named map type (`.Values`) to the parameter's plain type.
            (Value::Map(map), ParamType::Map) if map.is_interface_map() => {
                return Ok(Value::Map(map.as_type(MapType::Plain)));
            }
            (Value::List(items), ParamType::StringList) => items.iter().all(|i| matches!(i, Value::String(_))),
            _ => false,
        };
        if ok {
            Ok(value)
        } else {
            let msg = format!("wrong type for value; expected {}; got {}", param_name(param), value.type_name());
            Err(self.error(tree, at, msg))
        }
    }
}

/// The value as a receiver of fields and methods: a struct, or a named slice type with methods.
fn receiver_methods(value: &Value) -> Option<Arc<dyn Object>> {
    match value {
        Value::Object(object) => Some(object.clone()),
        Value::List(list) => list.methods(),
        _ => None,
    }
}

fn param_at(params: &[ParamType], variadic: bool, i: usize) -> ParamType {
    if variadic && i + 1 >= params.len() {
        params.last().copied().unwrap_or(ParamType::Any)
    } else {
        params.get(i).copied().unwrap_or(ParamType::Any)
    }
}

/// The Go type name of a parameter type, as reflect prints it.
pub fn param_name(param: ParamType) -> &'static str {
    match param {
        ParamType::Any => "interface {}",
        ParamType::String => "string",
        ParamType::Int => "int",
        ParamType::Int64 => "int64",
        ParamType::Float64 => "float64",
        ParamType::Bool => "bool",
        ParamType::List => "[]interface {}",
        ParamType::Map => "map[string]interface {}",
        ParamType::StringList => "[]string",
    }
}

/// The node Go last marked while evaluating `term`; errors in a chain `(term).field` blame it.
fn last_evaluated(term: &Term) -> &Term {
    match term {
        Term::Pipe(pipe) => match pipe.cmds.last() {
            Some(cmd) => match cmd.args.as_slice() {
                [Term::Identifier { .. }, .., last] => last_evaluated(last),
                [first, ..] => last_evaluated(first),
                [] => term,
            },
            None => term,
        },
        Term::Chain { node, .. } => last_evaluated(node),
        _ => term,
    }
}

/// The first operand of the last command: the node Go is "at" after evaluating a pipeline.
fn last_term(pipe: &Pipe) -> Option<&Term> {
    pipe.cmds.last().and_then(|c| c.args.first())
}
