//! The parser of Go's `text/template`: tokens to a tree of nodes with byte offsets.
//!
//! It follows Go's `text/template/parse` grammar and error texts (`missing value for if`,
//! `unexpected "}" in operand`, `undefined variable "$x"`, ...). A file yields its own tree
//! plus one tree per `define` / `block`.

use std::fmt;
use std::sync::Arc;

use super::lex::{Token, TokenKind, go_quote, lex};
use crate::source::{FileId, Pos};

mod number;
pub(crate) use number::parse_float;
use number::parse_number;

/// Deepest nesting of parenthesised pipelines and control structures accepted in one template,
/// so that hostile input cannot exhaust the stack.
pub const MAX_PARSE_DEPTH: usize = 200;

/// One parsed template: a file's top level or a `define`d block.
#[derive(Debug)]
pub struct Tree {
    /// The template's name (`define` name or the file's name).
    pub name: String,
    /// The name of the file (or `tpl` text) it was parsed from; Go reports positions against it.
    pub parse_name: String,
    /// The whole text it was parsed from, for turning offsets into lines and columns.
    pub text: Arc<str>,
    /// The file the text came from (for `tpl`, the file of the calling template).
    pub file: FileId,
    pub root: Vec<Node>,
}

impl Tree {
    /// Whether the tree holds only whitespace text and comments (Go's `IsEmptyTree`).
    pub fn is_empty(&self) -> bool {
        self.root.iter().all(|n| match n {
            Node::Text { text, .. } => text.trim_matches([' ', '\t', '\r', '\n']).is_empty(),
            Node::Comment => true,
            _ => false,
        })
    }
}

/// A statement-level node.
#[derive(Debug)]
pub enum Node {
    Text { pos: Pos, text: Box<str> },
    Comment,
    Action(Action),
    If(Branch),
    With(Branch),
    Range(Branch),
    Template(TemplateCall),
    Break,
    Continue,
}

/// `{{ pipeline }}`
#[derive(Debug)]
pub struct Action {
    /// Where its `{{` is.
    pub pos: Pos,
    pub pipe: Pipe,
    /// The `.Values` paths the action reads directly (`.Values.a.b`, `$.Values.a.b`).
    pub values_paths: Vec<Vec<String>>,
}

/// `if`, `with` or `range` with their bodies.
#[derive(Debug)]
pub struct Branch {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

/// `{{ template "name" pipeline }}` (also what a `block` leaves in place).
#[derive(Debug)]
pub struct TemplateCall {
    pub offset: usize,
    pub name: String,
    pub pipe: Option<Pipe>,
}

/// A pipeline with optional variable declarations: `$x := a | b c`.
#[derive(Debug)]
pub struct Pipe {
    pub offset: usize,
    /// Declared or assigned variable names, e.g. `$x`.
    pub decl: Vec<String>,
    pub is_assign: bool,
    pub cmds: Vec<Command>,
}

/// One command of a pipeline: a function or field with its arguments.
#[derive(Debug)]
pub struct Command {
    pub offset: usize,
    pub args: Vec<Term>,
}

/// An operand.
#[derive(Debug)]
pub enum Term {
    /// `.a.b`
    Field {
        offset: usize,
        idents: Vec<String>,
    },
    /// `$x.a.b`; `idents[0]` is the variable name.
    Variable {
        offset: usize,
        idents: Vec<String>,
    },
    /// `(pipeline).a.b`
    Chain {
        offset: usize,
        node: Box<Term>,
        fields: Vec<String>,
    },
    /// A function name.
    Identifier {
        offset: usize,
        name: String,
    },
    Dot {
        offset: usize,
    },
    Nil {
        offset: usize,
    },
    Bool {
        offset: usize,
        value: bool,
    },
    Number(Box<NumberLit>),
    String {
        offset: usize,
        quoted: String,
        text: String,
    },
    Pipe(Box<Pipe>),
}

/// A number or character constant with every Go type it can be read as (Go's `NumberNode`).
#[derive(Debug)]
pub struct NumberLit {
    pub offset: usize,
    pub text: String,
    pub is_int: bool,
    pub is_uint: bool,
    pub is_float: bool,
    /// Imaginary (`2i`) and complex (`1+2i`) constants; they also have the other readings when
    /// their imaginary part is zero.
    pub is_complex: bool,
    pub int: i64,
    pub uint: u64,
    pub float: f64,
    /// Real and imaginary parts.
    pub complex: (f64, f64),
}

impl Term {
    pub fn offset(&self) -> usize {
        match self {
            Term::Field { offset, .. }
            | Term::Variable { offset, .. }
            | Term::Chain { offset, .. }
            | Term::Identifier { offset, .. }
            | Term::Dot { offset }
            | Term::Nil { offset }
            | Term::Bool { offset, .. }
            | Term::String { offset, .. } => *offset,
            Term::Number(n) => n.offset,
            Term::Pipe(p) => p.offset,
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Field { idents, .. } => {
                for i in idents {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Term::Variable { idents, .. } => f.write_str(&idents.join(".")),
            Term::Chain { node, fields, .. } => {
                if let Term::Pipe(p) = node.as_ref() {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for field in fields {
                    write!(f, ".{field}")?;
                }
                Ok(())
            }
            Term::Identifier { name, .. } => f.write_str(name),
            Term::Dot { .. } => f.write_str("."),
            Term::Nil { .. } => f.write_str("nil"),
            Term::Bool { value, .. } => write!(f, "{value}"),
            Term::Number(n) => f.write_str(&n.text),
            Term::String { quoted, .. } => f.write_str(quoted),
            Term::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Term::Pipe(p) = arg {
                write!(f, "({p})")?;
            } else {
                write!(f, "{arg}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            f.write_str(&self.decl.join(", "))?;
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, cmd) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{cmd}")?;
        }
        Ok(())
    }
}

impl fmt::Display for TemplateCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pipe {
            Some(p) => write!(f, "{{{{template {} {p}}}}}", go_quote(&self.name)),
            None => write!(f, "{{{{template {}}}}}", go_quote(&self.name)),
        }
    }
}

/// A parse failure with Go's message, e.g. `template: t.yaml:3: missing value for if`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// Go's full error text.
    pub message: String,
    /// Byte offset of the token the error was found at.
    pub offset: usize,
    pub line: u32,
}

type PResult<T> = Result<T, ParseError>;

/// What ended an item list.
enum ListEnd {
    End { offset: usize },
    Else { offset: usize },
}

/// Parses `text` (named `parse_name`) into its top-level tree and its `define`d trees.
/// `is_function` answers whether an identifier names a function.
pub fn parse(parse_name: &str, text: &str, file: FileId, is_function: &dyn Fn(&str) -> bool) -> PResult<Vec<Tree>> {
    let source = text;
    let text: Arc<str> = Arc::from(text);
    let mut parser = Parser {
        lines: LineIndex::new(&text),
        file,
        tokens: lex(source),
        pos: 0,
        parse_name: parse_name.to_string(),
        text: text.clone(),
        vars: vec!["$".to_string()],
        range_depth: 0,
        depth: 0,
        is_function,
        defined: Vec::new(),
        current_line: 1,
        action_line: 0,
    };
    let root = parser.parse_top()?;
    let mut trees = vec![Tree { name: parse_name.to_string(), parse_name: parse_name.to_string(), text, file, root }];
    trees.extend(parser.defined);
    Ok(trees)
}

struct Parser<'a> {
    lines: LineIndex,
    file: FileId,
    tokens: Vec<Token<'a>>,
    pos: usize,
    parse_name: String,
    text: Arc<str>,
    vars: Vec<String>,
    range_depth: usize,
    depth: usize,
    is_function: &'a dyn Fn(&str) -> bool,
    defined: Vec<Tree>,
    current_line: u32,
    /// Line of the `{{` of the action being parsed (0 outside actions), for lexer errors.
    action_line: u32,
}

impl<'a> Parser<'a> {
    fn token(&self, i: usize) -> Token<'a> {
        match self.tokens.get(i) {
            Some(t) => t.clone(),
            None => match self.tokens.last() {
                Some(t) => t.clone(),
                None => Token { kind: TokenKind::Eof, text: "".into(), offset: 0, line: 1 },
            },
        }
    }

    fn next(&mut self) -> Token<'a> {
        let t = self.token(self.pos);
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        self.current_line = t.line;
        t
    }

    fn backup(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    fn peek(&mut self) -> Token<'a> {
        let t = self.token(self.pos);
        self.current_line = t.line;
        t
    }

    fn next_non_space(&mut self) -> Token<'a> {
        loop {
            let t = self.next();
            if t.kind != TokenKind::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Token<'a> {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn error_at<T>(&self, offset: usize, message: String) -> PResult<T> {
        Err(ParseError {
            message: format!("template: {}:{}: {}", self.parse_name, self.current_line, message),
            offset,
            line: self.current_line,
        })
    }

    fn errorf<T>(&self, message: String) -> PResult<T> {
        let offset = self.token(self.pos.saturating_sub(1)).offset;
        self.error_at(offset, message)
    }

    fn unexpected<T>(&mut self, token: &Token, context: &str) -> PResult<T> {
        self.current_line = token.line;
        if token.kind == TokenKind::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != token.line {
                extra = format!(" in action started at {}:{}", self.parse_name, self.action_line);
                if token.text.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.error_at(token.offset, format!("{}{extra}", token.text));
        }
        self.error_at(token.offset, format!("unexpected {} in {}", token.describe(), context))
    }

    fn expect(&mut self, kind: TokenKind, context: &str) -> PResult<Token<'a>> {
        let t = self.next_non_space();
        if t.kind != kind {
            return self.unexpected(&t, context);
        }
        Ok(t)
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH {
            return self.errorf("max expression depth exceeded".to_string());
        }
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().kind != TokenKind::Eof {
            if self.peek().kind == TokenKind::LeftDelim {
                let delim = self.pos;
                self.next();
                if self.next_non_space().kind == TokenKind::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.pos = delim;
            }
            match self.text_or_action()? {
                Item::Node(n) => root.push(n),
                Item::End(ListEnd::End { offset }) => return self.error_at(offset, "unexpected {{end}}".into()),
                Item::End(ListEnd::Else { offset }) => return self.error_at(offset, "unexpected {{else}}".into()),
            }
        }
        Ok(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let name_token = self.next_non_space();
        if !matches!(name_token.kind, TokenKind::String | TokenKind::RawString) {
            return self.unexpected(&name_token, context);
        }
        let name = self.unquote(&name_token)?;
        self.expect(TokenKind::RightDelim, context)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if let ListEnd::Else { offset } = end {
            return self.error_at(offset, format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add_tree(name, list)
    }

    fn add_tree(&mut self, name: String, root: Vec<Node>) -> PResult<()> {
        let tree = Tree { name, parse_name: self.parse_name.clone(), text: self.text.clone(), file: self.file, root };
        if let Some(i) = self.defined.iter().position(|t| t.name == tree.name) {
            if self.defined[i].is_empty() {
                self.defined[i] = tree;
            } else if !tree.is_empty() {
                return self.errorf(format!("template: multiple definition of template {}", go_quote(&tree.name)));
            }
            return Ok(());
        }
        self.defined.push(tree);
        Ok(())
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, ListEnd)> {
        let mut list = Vec::new();
        while self.peek_non_space().kind != TokenKind::Eof {
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                Item::End(end) => return Ok((list, end)),
            }
        }
        self.errorf("unexpected EOF".to_string())
    }

    fn text_or_action(&mut self) -> PResult<Item> {
        let token = self.next_non_space();
        match token.kind {
            TokenKind::Text => Ok(Item::Node(Node::Text {
                pos: self.lines.pos(&self.text, token.offset),
                text: token.text.as_ref().into(),
            })),
            TokenKind::LeftDelim => {
                self.action_line = token.line;
                let item = self.action(token.offset);
                self.action_line = 0;
                item
            }
            TokenKind::Comment => Ok(Item::Node(Node::Comment)),
            _ => self.unexpected(&token, "input"),
        }
    }

    fn action(&mut self, delim_offset: usize) -> PResult<Item> {
        let token = self.next_non_space();
        let node = match token.kind {
            TokenKind::Block => self.block_control(),
            TokenKind::Break => self.break_control(token.offset, "{{break}}").map(|()| Node::Break),
            TokenKind::Continue => self.break_control(token.offset, "{{continue}}").map(|()| Node::Continue),
            TokenKind::Else => return self.else_control(),
            TokenKind::End => {
                let t = self.expect(TokenKind::RightDelim, "end")?;
                return Ok(Item::End(ListEnd::End { offset: t.offset }));
            }
            TokenKind::If => self.control("if").map(Node::If),
            TokenKind::Range => self.control("range").map(Node::Range),
            TokenKind::Template => self.template_control(),
            TokenKind::With => self.control("with").map(Node::With),
            _ => {
                self.backup();
                let pipe = self.pipeline("command", TokenKind::RightDelim)?;
                let mut values_paths = Vec::new();
                collect_values_paths(&pipe, &mut values_paths);
                Ok(Node::Action(Action { pos: self.lines.pos(&self.text, delim_offset), pipe, values_paths }))
            }
        }?;
        Ok(Item::Node(node))
    }

    fn break_control(&mut self, offset: usize, context: &str) -> PResult<()> {
        let t = self.next_non_space();
        if t.kind != TokenKind::RightDelim {
            return self.unexpected(&t, context);
        }
        if self.range_depth == 0 {
            return self.error_at(offset, format!("{context} outside {{{{range}}}}"));
        }
        Ok(())
    }

    fn else_control(&mut self) -> PResult<Item> {
        let peek = self.peek_non_space();
        if matches!(peek.kind, TokenKind::If | TokenKind::With) {
            return Ok(Item::End(ListEnd::Else { offset: peek.offset }));
        }
        let t = self.expect(TokenKind::RightDelim, "else")?;
        Ok(Item::End(ListEnd::Else { offset: t.offset }))
    }

    fn control(&mut self, context: &str) -> PResult<Branch> {
        self.enter()?;
        let vars_mark = self.vars.len();
        let pipe = self.pipeline(context, TokenKind::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, end) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        if let ListEnd::Else { .. } = end {
            let chained = match self.peek().kind {
                TokenKind::If if context == "if" => Some("if"),
                TokenKind::With if context == "with" => Some("with"),
                _ => None,
            };
            if let Some(kind) = chained {
                self.next();
                let inner = self.control(kind)?;
                else_list = Some(vec![if kind == "if" { Node::If(inner) } else { Node::With(inner) }]);
            } else {
                let (list, end) = self.item_list()?;
                if let ListEnd::Else { offset } = end {
                    return self.error_at(offset, "expected end; found {{else}}".to_string());
                }
                else_list = Some(list);
            }
        }
        self.vars.truncate(vars_mark);
        self.depth -= 1;
        Ok(Branch { pipe, list, else_list })
    }

    fn template_name(&mut self, token: &Token, context: &str) -> PResult<String> {
        match token.kind {
            TokenKind::String | TokenKind::RawString => self.unquote(token),
            _ => self.unexpected(token, context),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, context)?;
        let pipe = if self.next_non_space().kind != TokenKind::RightDelim {
            self.backup();
            Some(self.pipeline(context, TokenKind::RightDelim)?)
        } else {
            None
        };
        Ok(Node::Template(TemplateCall { offset: token.offset, name, pipe }))
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        self.enter()?;
        let token = self.next_non_space();
        let name = self.template_name(&token, context)?;
        let pipe = self.pipeline(context, TokenKind::RightDelim)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        self.range_depth = saved_range;
        if let ListEnd::Else { offset } = end {
            return self.error_at(offset, format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add_tree(name.clone(), list)?;
        self.depth -= 1;
        Ok(Node::Template(TemplateCall { offset: token.offset, name, pipe: Some(pipe) }))
    }

    fn pipeline(&mut self, context: &str, end: TokenKind) -> PResult<Pipe> {
        let offset = self.peek_non_space().offset;
        let mut pipe = Pipe { offset, decl: Vec::new(), is_assign: false, cmds: Vec::new() };
        'decls: loop {
            let v = self.peek_non_space();
            if v.kind != TokenKind::Variable {
                break;
            }
            let before = self.pos;
            self.next_non_space();
            let after_var = self.peek();
            let next = self.peek_non_space();
            match next.kind {
                TokenKind::Assign | TokenKind::Declare => {
                    pipe.is_assign = next.kind == TokenKind::Assign;
                    self.next_non_space();
                    pipe.decl.push(v.text.to_string());
                    self.vars.push(v.text.to_string());
                    break 'decls;
                }
                TokenKind::Char if next.text == "," => {
                    self.next_non_space();
                    pipe.decl.push(v.text.to_string());
                    self.vars.push(v.text.to_string());
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().kind {
                            TokenKind::Variable | TokenKind::RightDelim | TokenKind::RightParen => continue 'decls,
                            _ => return self.errorf("range can only initialize variables".to_string()),
                        }
                    }
                    return self.errorf(format!("too many declarations in {context}"));
                }
                _ => {
                    let _ = after_var;
                    self.pos = before;
                    break;
                }
            }
        }
        loop {
            let token = self.next_non_space();
            match token.kind {
                k if k == end => {
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                TokenKind::Bool
                | TokenKind::CharConstant
                | TokenKind::Complex
                | TokenKind::Dot
                | TokenKind::Field
                | TokenKind::Identifier
                | TokenKind::Number
                | TokenKind::Nil
                | TokenKind::RawString
                | TokenKind::String
                | TokenKind::Variable
                | TokenKind::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return self.unexpected(&token, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.errorf(format!("missing value for {context}"));
        }
        for (i, cmd) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                cmd.args.first(),
                Some(Term::Bool { .. } | Term::Dot { .. } | Term::Nil { .. } | Term::Number(_) | Term::String { .. })
            ) {
                return self.errorf(format!("non executable command in pipeline stage {}", i + 1));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let offset = self.peek_non_space().offset;
        let mut cmd = Command { offset, args: Vec::new() };
        loop {
            self.peek_non_space();
            if let Some(operand) = self.operand()? {
                cmd.args.push(operand);
            }
            let token = self.next();
            match token.kind {
                TokenKind::Space => continue,
                TokenKind::RightDelim | TokenKind::RightParen => self.backup(),
                TokenKind::Pipe => {}
                _ => return self.unexpected(&token, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.errorf("empty command".to_string());
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Term>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != TokenKind::Field {
            return Ok(Some(node));
        }
        let chain_offset = self.peek().offset;
        let mut fields = Vec::new();
        while self.peek().kind == TokenKind::Field {
            let t = self.next();
            fields.push(t.text[1..].to_string());
        }
        let node = match node {
            Term::Field { mut idents, .. } => {
                idents.extend(fields);
                Term::Field { offset: chain_offset, idents }
            }
            Term::Variable { mut idents, .. } => {
                idents.extend(fields);
                Term::Variable { offset: chain_offset, idents }
            }
            Term::Bool { .. } | Term::String { .. } | Term::Number(_) | Term::Nil { .. } | Term::Dot { .. } => {
                return self.errorf(format!("unexpected . after term {}", go_quote(&node.to_string())));
            }
            other => Term::Chain { offset: chain_offset, node: Box::new(other), fields },
        };
        Ok(Some(node))
    }

    fn term(&mut self) -> PResult<Option<Term>> {
        let token = self.next_non_space();
        let offset = token.offset;
        let term = match token.kind {
            TokenKind::Identifier => {
                if !(self.is_function)(&token.text) {
                    return self.error_at(offset, format!("function {} not defined", go_quote(&token.text)));
                }
                Term::Identifier { offset, name: token.text.to_string() }
            }
            TokenKind::Dot => Term::Dot { offset },
            TokenKind::Nil => Term::Nil { offset },
            TokenKind::Variable => {
                if !self.vars.iter().any(|v| *v == token.text) {
                    return self.error_at(offset, format!("undefined variable {}", go_quote(&token.text)));
                }
                Term::Variable { offset, idents: vec![token.text.to_string()] }
            }
            TokenKind::Field => Term::Field { offset, idents: vec![token.text[1..].to_string()] },
            TokenKind::Bool => Term::Bool { offset, value: token.text == "true" },
            TokenKind::CharConstant | TokenKind::Number | TokenKind::Complex => match parse_number(&token) {
                Ok(n) => Term::Number(Box::new(n)),
                Err(message) => return self.error_at(offset, message),
            },
            TokenKind::LeftParen => {
                self.enter()?;
                let pipe = self.pipeline("parenthesized pipeline", TokenKind::RightParen)?;
                self.depth -= 1;
                Term::Pipe(Box::new(pipe))
            }
            TokenKind::String | TokenKind::RawString => {
                let text = self.unquote(&token)?;
                Term::String { offset, quoted: token.text.to_string(), text }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some(term))
    }

    fn unquote(&self, token: &Token) -> PResult<String> {
        match unquote(&token.text) {
            Some(s) => Ok(s),
            None => self.error_at(token.offset, "invalid syntax".to_string()),
        }
    }
}

enum Item {
    Node(Node),
    End(ListEnd),
}

/// Line starts of a text, to turn offsets into positions without rescanning.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn pos(&self, text: &str, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = text.get(start..offset).map_or(1, |s| s.chars().count() + 1) as u32;
        Pos { line: line as u32, column, offset }
    }
}

/// Gathers the `.Values.x.y` / `$.Values.x.y` chains of a pipeline, nested pipelines included.
fn collect_values_paths(pipe: &Pipe, out: &mut Vec<Vec<String>>) {
    for cmd in &pipe.cmds {
        for arg in &cmd.args {
            collect_term_paths(arg, out);
        }
    }
}

fn collect_term_paths(term: &Term, out: &mut Vec<Vec<String>>) {
    match term {
        Term::Field { idents, .. } if idents.first().is_some_and(|i| i == "Values") && idents.len() > 1 => {
            out.push(idents[1..].to_vec());
        }
        Term::Variable { idents, .. } if idents.len() > 2 && idents[0] == "$" && idents[1] == "Values" => {
            out.push(idents[2..].to_vec());
        }
        Term::Pipe(p) => collect_values_paths(p, out),
        Term::Chain { node, .. } => collect_term_paths(node, out),
        _ => {}
    }
}

/// Go's `strconv.Unquote` for `"..."`, `` `...` `` and `'...'` literals; `None` when invalid.
pub fn unquote(quoted: &str) -> Option<String> {
    let bytes = quoted.as_bytes();
    if bytes.len() < 2 {
        return None;
    }
    let quote = bytes[0];
    if bytes[bytes.len() - 1] != quote {
        return None;
    }
    let inner = &quoted[1..quoted.len() - 1];
    match quote {
        b'`' => {
            if inner.contains('`') {
                return None;
            }
            Some(inner.replace('\r', ""))
        }
        b'"' | b'\'' => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars().peekable();
            while let Some(c) = chars.next() {
                if c == quote as char || c == '\n' {
                    return None;
                }
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                let e = chars.next()?;
                match e {
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\u{b}'),
                    '\\' => out.push('\\'),
                    '\'' if quote == b'\'' => out.push('\''),
                    '"' if quote == b'"' => out.push('"'),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut v: u32 = 0;
                        for _ in 0..n {
                            v = v * 16 + chars.next()?.to_digit(16)?;
                        }
                        if e == 'x' {
                            // A \x escape is a byte; only ASCII bytes survive in a Rust string.
                            out.push(char::from_u32(v).filter(|_| v < 0x80).unwrap_or('\u{FFFD}'));
                        } else {
                            out.push(char::from_u32(v)?);
                        }
                    }
                    '0'..='7' => {
                        let mut v = e.to_digit(8)?;
                        for _ in 0..2 {
                            v = v * 8 + chars.next()?.to_digit(8)?;
                        }
                        if v > 255 {
                            return None;
                        }
                        out.push(char::from_u32(v).filter(|_| v < 0x80).unwrap_or('\u{FFFD}'));
                    }
                    _ => return None,
                }
            }
            if quote == b'\'' && out.chars().count() != 1 {
                return None;
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn funcs(name: &str) -> bool {
        matches!(name, "printf" | "eq" | "include" | "upper" | "and")
    }

    fn err(text: &str) -> String {
        match parse("t.yaml", text, FileId(0), &funcs) {
            Ok(_) => "ok".to_string(),
            Err(e) => e.message,
        }
    }

    fn one_pipe(text: &str) -> String {
        let trees = parse("t", text, FileId(0), &funcs).map_err(|e| e.message).unwrap_or_default();
        match trees.first().and_then(|t| t.root.first()) {
            Some(Node::Action(a)) => a.pipe.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn pipelines_print_like_go_nodes() {
        assert_eq!(one_pipe("{{ .a.b | printf \"%s\" 1 }}"), ".a.b | printf \"%s\" 1");
        assert_eq!(one_pipe("{{ $x := (include \"a\" .).b }}"), "$x := (include \"a\" .).b");
        assert_eq!(one_pipe("{{ $.Values.x }}"), "$.Values.x");
        assert_eq!(one_pipe("{{ eq 'a' 0x1F -1.5e3 `r` }}"), "eq 'a' 0x1F -1.5e3 `r`");
        assert_eq!(one_pipe("{{ eq 1+2i 0x1p-2 1_0 '\\n' }}"), "eq 1+2i 0x1p-2 1_0 '\\n'");
    }

    #[test]
    fn parse_errors_use_go_texts() {
        let cases = [
            ("{{ if }}", "template: t.yaml:1: missing value for if"),
            ("{{ if .a }}", "template: t.yaml:1: unexpected EOF"),
            ("{{ end }}", "template: t.yaml:1: unexpected {{end}}"),
            ("{{ else }}", "template: t.yaml:1: unexpected {{else}}"),
            ("{{ $y }}", "template: t.yaml:1: undefined variable \"$y\""),
            ("{{ nope 1 }}", "template: t.yaml:1: function \"nope\" not defined"),
            ("{{ .a | 3 }}", "template: t.yaml:1: non executable command in pipeline stage 2"),
            ("{{ break }}", "template: t.yaml:1: {{break}} outside {{range}}"),
            ("{{ 3.a }}", "template: t.yaml:1: bad number syntax: \"3.a\""),
            ("{{ \"x\".a }}", "template: t.yaml:1: unexpected . after term \"\\\"x\\\"\""),
            ("\n{{ .a }\n}", "template: t.yaml:2: unexpected \"}\" in operand"),
            (
                "{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}",
                "template: t.yaml:1: template: multiple definition of template \"a\"",
            ),
            ("{{ range $i, $v, $w := . }}{{ end }}", "template: t.yaml:1: too many declarations in range"),
            ("{{ 99999999999999999999 }}", "template: t.yaml:1: integer overflow: \"99999999999999999999\""),
            ("{{ 0x }}", "template: t.yaml:1: illegal number syntax: \"0x\""),
            ("{{ 1_.5 }}", "template: t.yaml:1: illegal number syntax: \"1_.5\""),
            ("{{ 0x1.8 }}", "template: t.yaml:1: illegal number syntax: \"0x1.8\""),
            ("\n{{ 1e400 }}", "template: t.yaml:2: illegal number syntax: \"1e400\""),
            ("{{ 0b1+1i }}", "template: t.yaml:1: syntax error scanning complex number"),
            ("{{ 1+0x1i }}", "template: t.yaml:1: strconv.ParseFloat: parsing \"+0x1\": invalid syntax"),
            ("{{ 'ab' }}", "template: t.yaml:1: malformed character constant: 'ab'"),
            ("{{ '\\q' }}", "template: t.yaml:1: invalid syntax"),
            ("{{ 1.2.3 }}", "template: t.yaml:1: unexpected \".3\" in operand"),
            ("{{ template . }}", "template: t.yaml:1: unexpected <.> in template clause"),
            ("{{ (.a }}", "template: t.yaml:1: unclosed left paren"),
        ];
        for (text, want) in cases {
            assert_eq!(err(text), want, "parsing {text:?}");
        }
    }

    #[test]
    fn defines_become_trees_and_else_if_chains() {
        let trees = parse(
            "f",
            "{{ define \"a\" }}A{{ end }}{{ if .x }}1{{ else if .y }}2{{ else }}3{{ end }}",
            FileId(0),
            &funcs,
        )
        .map_err(|e| e.message);
        let trees = trees.as_deref().unwrap_or_default();
        let names: Vec<_> = trees.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["f", "a"]);
        let Some(Node::If(b)) = trees[0].root.first() else { panic!("not an if: {:?}", trees[0].root) };
        assert!(matches!(b.else_list.as_deref(), Some([Node::If(_)])));
    }

    #[test]
    fn numbers_know_their_go_types() {
        let n = |t: &str| parse_number(&Token { kind: TokenKind::Number, text: t.into(), offset: 0, line: 1 });
        let one = n("1").ok();
        assert!(one.as_ref().is_some_and(|n| n.is_int && n.is_float && n.int == 1));
        assert!(n("1e3").is_ok_and(|n| n.is_float && n.is_int && n.float == 1000.0));
        assert!(n("0x1F").is_ok_and(|n| n.int == 31));
        assert!(n("017").is_ok_and(|n| n.int == 15));
        assert!(n("-2").is_ok_and(|n| n.int == -2 && !n.is_uint));
        assert!(n("9223372036854775808").is_ok_and(|n| n.is_uint && !n.is_int));
        assert!(n("1.5").is_ok_and(|n| !n.is_int && n.float == 1.5));
    }

    #[test]
    fn unquote_handles_go_escapes() {
        assert_eq!(unquote(r#""a\tb\"\u00e9\x41\101""#).as_deref(), Some("a\tb\"éAA"));
        assert_eq!(unquote("`a\\n`").as_deref(), Some("a\\n"));
        assert_eq!(unquote(r#""\q""#), None);
        assert_eq!(unquote(r"'\''").as_deref(), Some("'"));
    }
}
