//! The lexer of Go's `text/template`: splits a template into text, comments and action tokens.
//!
//! Tokens keep their byte offset and line; the parser turns lexer failures (an `Error` token)
//! into Go's parse errors, so the messages here are Go's texts.

use std::borrow::Cow;

/// The kind of one token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Plain text outside actions (already trimmed by `{{-` / `-}}`).
    Text,
    /// A `{{/* ... */}}` comment.
    Comment,
    LeftDelim,
    RightDelim,
    Space,
    Identifier,
    /// `.name`
    Field,
    /// `$` or `$name`
    Variable,
    /// `:=`
    Declare,
    /// `=`
    Assign,
    /// A printable ASCII character that has no other meaning, such as `,`.
    Char,
    CharConstant,
    /// A number, imaginary ones (`2i`) included.
    Number,
    /// A complex constant written as a real and an imaginary part without spaces: `1+2i`.
    Complex,
    String,
    RawString,
    Bool,
    Nil,
    Dot,
    Pipe,
    LeftParen,
    RightParen,
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Range,
    Template,
    With,
    Eof,
    /// A lexing failure; `text` holds Go's message.
    Error,
}

impl TokenKind {
    /// Keywords print as `<name>` in Go's "unexpected" messages.
    pub fn is_keyword(self) -> bool {
        matches!(
            self,
            TokenKind::Block
                | TokenKind::Break
                | TokenKind::Continue
                | TokenKind::Define
                | TokenKind::Else
                | TokenKind::End
                | TokenKind::If
                | TokenKind::Range
                | TokenKind::Template
                | TokenKind::With
                | TokenKind::Nil
                | TokenKind::Dot
        )
    }
}

/// One token: its kind, its text and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Token<'a> {
    pub kind: TokenKind,
    /// The token's source text (Go's message for `Error` tokens).
    pub text: Cow<'a, str>,
    /// Byte offset in the template text.
    pub offset: usize,
    /// 1-based line of the token's start.
    pub line: u32,
}

impl Token<'_> {
    /// Go's `item.String()`, used in "unexpected X in Y" messages.
    pub fn describe(&self) -> String {
        match self.kind {
            TokenKind::Eof => "EOF".to_string(),
            TokenKind::Error => self.text.to_string(),
            k if k.is_keyword() => format!("<{}>", self.text),
            _ if self.text.chars().count() > 10 => {
                let head: String = self.text.chars().take(10).collect();
                format!("{}...", go_quote(&head))
            }
            _ => go_quote(&self.text),
        }
    }
}

/// Go's `%q` of a string (`strconv.Quote`).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_quoted_char(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Appends `c` escaped as Go's `strconv.Quote` does inside a literal delimited by `quote`.
pub fn push_quoted_char(out: &mut String, c: char, quote: char) {
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if is_go_printable(c) => out.push(c),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// An approximation of Go's `unicode.IsPrint` (letters, marks, numbers, punctuation, symbols, ASCII space).
pub fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    // Format characters, private use, surrogates and noncharacters are not printable.
    !matches!(u, 0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF | 0xFFFE | 0xFFFF
        | 0xF0000..=0x10FFFF)
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Splits `text` into tokens; the last one is `Eof` or `Error`.
pub fn lex(text: &str) -> Vec<Token<'_>> {
    let mut lexer = Lexer { text, pos: 0, start: 0, line: 1, start_line: 1, tokens: Vec::new(), paren_depth: 0 };
    lexer.run();
    lexer.tokens
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    start: usize,
    line: u32,
    start_line: u32,
    tokens: Vec<Token<'a>>,
    paren_depth: usize,
}

/// What the lexer does next after a piece of text.
enum Step {
    /// Lex the inside of an action.
    Action,
    /// Keep lexing text (after a comment).
    Text,
    Done,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn emit(&mut self, kind: TokenKind) {
        let text = Cow::Borrowed(&self.text[self.start..self.pos]);
        self.tokens.push(Token { kind, text, offset: self.start, line: self.start_line });
        self.skip();
    }

    fn skip(&mut self) {
        self.start = self.pos;
        self.start_line = self.line;
    }

    /// Moves to `to` (a byte offset ahead), counting newlines.
    fn advance_to(&mut self, to: usize) {
        let newlines = self.text[self.pos..to].bytes().filter(|&b| b == b'\n').count() as u32;
        self.line += newlines;
        self.pos = to;
    }

    fn error(&mut self, message: String) -> Step {
        self.tokens.push(Token {
            kind: TokenKind::Error,
            text: Cow::Owned(message),
            offset: self.start,
            line: self.start_line,
        });
        Step::Done
    }

    fn run(&mut self) {
        loop {
            match self.lex_text() {
                Step::Done => return,
                Step::Text => continue,
                Step::Action => {}
            }
            loop {
                match self.lex_inside_action() {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(()) => return,
                }
            }
        }
    }

    /// Scans text up to the next left delimiter; emits the text and the delimiter (or a comment).
    fn lex_text(&mut self) -> Step {
        let Some(found) = self.rest().find(LEFT) else {
            self.advance_to(self.text.len());
            if self.pos > self.start {
                self.emit(TokenKind::Text);
            }
            self.tokens.push(Token {
                kind: TokenKind::Eof,
                text: Cow::Borrowed(""),
                offset: self.pos,
                line: self.line,
            });
            return Step::Done;
        };
        let delim_at = self.pos + found;
        let after = &self.text[delim_at + LEFT.len()..];
        let trim = after.len() >= 2 && after.as_bytes()[0] == b'-' && is_space(after.as_bytes()[1]);
        let mut text_end = delim_at;
        if trim {
            text_end = self.text[..delim_at].trim_end_matches([' ', '\t', '\r', '\n']).len().max(self.start);
        }
        self.advance_to(text_end);
        if self.pos > self.start {
            self.emit(TokenKind::Text);
        }
        self.advance_to(delim_at);
        self.skip();
        self.lex_left_delim(trim)
    }

    fn lex_left_delim(&mut self, trim: bool) -> Step {
        self.advance_to(self.pos + LEFT.len());
        let trim_len = if trim { 2 } else { 0 };
        if self.text[self.pos + trim_len..].starts_with("/*") {
            self.advance_to(self.pos + trim_len);
            self.skip();
            return self.lex_comment();
        }
        self.emit(TokenKind::LeftDelim);
        self.advance_to(self.pos + trim_len);
        self.skip();
        self.paren_depth = 0;
        Step::Action
    }

    fn lex_comment(&mut self) -> Step {
        let Some(end) = self.rest().find("*/") else {
            return self.error("unclosed comment".to_string());
        };
        self.advance_to(self.pos + end + 2);
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".to_string());
        }
        self.emit(TokenKind::Comment);
        if trim {
            self.advance_to(self.pos + 2);
        }
        self.advance_to(self.pos + RIGHT.len());
        if trim {
            self.trim_following_space();
        }
        self.skip();
        Step::Text
    }

    /// Whether the input is at a right delimiter, and whether it is preceded by a trim marker.
    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest().as_bytes();
        if rest.len() >= 4 && is_space(rest[0]) && rest[1] == b'-' && &rest[2..4] == RIGHT.as_bytes() {
            return (true, true);
        }
        (self.rest().starts_with(RIGHT), false)
    }

    fn trim_following_space(&mut self) {
        let trimmed = self.rest().trim_start_matches([' ', '\t', '\r', '\n']);
        let to = self.text.len() - trimmed.len();
        self.advance_to(to);
    }

    /// Lexes one element inside an action. `Ok(false)` when the action ended, `Err` on failure/EOF.
    fn lex_inside_action(&mut self) -> Result<bool, ()> {
        let (delim, trim) = self.at_right_delim();
        if delim {
            if self.paren_depth > 0 {
                self.error("unclosed left paren".to_string());
                return Err(());
            }
            if trim {
                self.advance_to(self.pos + 1);
                self.skip();
                self.advance_to(self.pos + 1);
                self.skip();
            }
            self.advance_to(self.pos + RIGHT.len());
            self.emit(TokenKind::RightDelim);
            if trim {
                self.trim_following_space();
                self.skip();
            }
            return Ok(false);
        }
        let Some(c) = self.next_char() else {
            self.error("unclosed action".to_string());
            return Err(());
        };
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                // Stop before a trim marker so the right delimiter is seen.
                loop {
                    let r = self.rest().as_bytes();
                    if r.is_empty() || !is_space(r[0]) {
                        break;
                    }
                    if r.len() >= 4 && r[1] == b'-' && &r[2..4] == RIGHT.as_bytes() {
                        break;
                    }
                    self.next_char();
                }
                self.emit(TokenKind::Space);
            }
            '=' => self.emit(TokenKind::Assign),
            ':' => {
                if self.peek_char() != Some('=') {
                    self.error("expected :=".to_string());
                    return Err(());
                }
                self.next_char();
                self.emit(TokenKind::Declare);
            }
            '|' => self.emit(TokenKind::Pipe),
            '"' => self.lex_quote()?,
            '`' => self.lex_raw_quote()?,
            '$' => self.lex_field_or_variable(TokenKind::Variable)?,
            '\'' => self.lex_char()?,
            '.' => {
                if self.peek_char().is_some_and(|c| c.is_ascii_digit()) {
                    self.pos -= 1;
                    self.lex_number()?;
                } else {
                    self.lex_field_or_variable(TokenKind::Field)?;
                }
            }
            '+' | '-' | '0'..='9' => {
                self.pos -= 1;
                self.lex_number()?;
            }
            '(' => {
                self.paren_depth += 1;
                self.emit(TokenKind::LeftParen);
            }
            ')' => {
                if self.paren_depth == 0 {
                    self.error("unexpected right paren".to_string());
                    return Err(());
                }
                self.paren_depth -= 1;
                self.emit(TokenKind::RightParen);
            }
            c if is_alnum(c) => {
                while self.peek_char().is_some_and(is_alnum) {
                    self.next_char();
                }
                if !self.at_terminator() {
                    let bad = self.peek_char().unwrap_or(' ');
                    self.error(format!("bad character {}", go_unicode(bad)));
                    return Err(());
                }
                let word = &self.text[self.start..self.pos];
                let kind = match word {
                    "block" => TokenKind::Block,
                    "break" => TokenKind::Break,
                    "continue" => TokenKind::Continue,
                    "define" => TokenKind::Define,
                    "else" => TokenKind::Else,
                    "end" => TokenKind::End,
                    "if" => TokenKind::If,
                    "range" => TokenKind::Range,
                    "nil" => TokenKind::Nil,
                    "template" => TokenKind::Template,
                    "with" => TokenKind::With,
                    "true" | "false" => TokenKind::Bool,
                    _ => TokenKind::Identifier,
                };
                self.emit(kind);
            }
            c if c.is_ascii() && !c.is_ascii_control() => self.emit(TokenKind::Char),
            c => {
                self.error(format!("bad character {}", go_unicode(c)));
                return Err(());
            }
        }
        Ok(true)
    }

    fn at_terminator(&self) -> bool {
        match self.peek_char() {
            None => true,
            Some(' ' | '\t' | '\r' | '\n') => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.rest().starts_with(RIGHT),
        }
    }

    fn lex_field_or_variable(&mut self, kind: TokenKind) -> Result<(), ()> {
        if self.at_terminator() {
            self.emit(if kind == TokenKind::Variable { TokenKind::Variable } else { TokenKind::Dot });
            return Ok(());
        }
        while self.peek_char().is_some_and(is_alnum) {
            self.next_char();
        }
        if !self.at_terminator() {
            let bad = self.peek_char().unwrap_or(' ');
            self.error(format!("bad character {}", go_unicode(bad)));
            return Err(());
        }
        self.emit(kind);
        Ok(())
    }

    fn lex_quote(&mut self) -> Result<(), ()> {
        loop {
            match self.next_char() {
                Some('\\') => match self.next_char() {
                    Some('\n') | None => {
                        self.error("unterminated quoted string".to_string());
                        return Err(());
                    }
                    Some(_) => {}
                },
                Some('\n') | None => {
                    self.error("unterminated quoted string".to_string());
                    return Err(());
                }
                Some('"') => break,
                Some(_) => {}
            }
        }
        self.emit(TokenKind::String);
        Ok(())
    }

    fn lex_raw_quote(&mut self) -> Result<(), ()> {
        let Some(end) = self.rest().find('`') else {
            self.error("unterminated raw quoted string".to_string());
            return Err(());
        };
        self.advance_to(self.pos + end + 1);
        self.emit(TokenKind::RawString);
        Ok(())
    }

    fn lex_char(&mut self) -> Result<(), ()> {
        loop {
            match self.next_char() {
                Some('\\') => {
                    if matches!(self.next_char(), None | Some('\n')) {
                        self.error("unterminated character constant".to_string());
                        return Err(());
                    }
                }
                Some('\n') | None => {
                    self.error("unterminated character constant".to_string());
                    return Err(());
                }
                Some('\'') => break,
                Some(_) => {}
            }
        }
        self.emit(TokenKind::CharConstant);
        Ok(())
    }

    /// Scans a number. Like Go's lexer it is lenient (`0x`, `089` and `1_` pass; the parser
    /// rejects them), except that a number may not run into a letter or digit. A sign right
    /// after a number starts the imaginary part of a complex constant, which must end in `i`.
    fn lex_number(&mut self) -> Result<(), ()> {
        if !self.scan_number() {
            return self.bad_number();
        }
        if matches!(self.peek_char(), Some('+' | '-')) {
            if !self.scan_number() || !self.text[..self.pos].ends_with('i') {
                return self.bad_number();
            }
            self.emit(TokenKind::Complex);
        } else {
            self.emit(TokenKind::Number);
        }
        Ok(())
    }

    fn bad_number(&mut self) -> Result<(), ()> {
        let text = self.text[self.start..self.pos].to_string();
        self.error(format!("bad number syntax: {}", go_quote(&text)));
        Err(())
    }

    fn accept(&mut self, valid: &str) -> bool {
        if let Some(c) = self.peek_char()
            && valid.contains(c)
        {
            self.next_char();
            return true;
        }
        false
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    /// Consumes one number (sign, base prefix, digits, fraction, exponent, `i`); false when a
    /// letter or digit follows it.
    fn scan_number(&mut self) -> bool {
        const DECIMAL: &str = "0123456789_";
        self.accept("+-");
        // Leading 0 without a letter is octal for integers, but a float such as 09.5 is decimal;
        // the parser decides, so the digits stay decimal here.
        let (digits, exponent) = if !self.accept("0") {
            (DECIMAL, "eE")
        } else if self.accept("xX") {
            ("0123456789abcdefABCDEF_", "pP")
        } else if self.accept("oO") {
            ("01234567_", "")
        } else if self.accept("bB") {
            ("01_", "")
        } else {
            (DECIMAL, "eE")
        };
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        // Octal and binary constants have no exponent; the exponent itself is decimal.
        if !exponent.is_empty() && self.accept(exponent) {
            self.accept("+-");
            self.accept_run(DECIMAL);
        }
        self.accept("i");
        if self.peek_char().is_some_and(is_alnum) {
            self.next_char();
            return false;
        }
        true
    }
}

/// Go's `%#U` of a character: `U+0023 '#'`.
fn go_unicode(c: char) -> String {
    if is_go_printable(c) { format!("U+{:04X} '{}'", c as u32, c) } else { format!("U+{:04X}", c as u32) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, String)> {
        lex(text).into_iter().map(|t| (t.kind, t.text.into_owned())).collect()
    }

    #[test]
    fn text_action_and_trim() {
        use TokenKind::*;
        assert_eq!(
            kinds("a \n{{- .x -}}\n b"),
            vec![
                (Text, "a".into()),
                (LeftDelim, "{{".into()),
                (Field, ".x".into()),
                (RightDelim, "}}".into()),
                (Text, "b".into()),
                (Eof, "".into())
            ]
        );
    }

    #[test]
    fn negative_number_is_not_a_trim_marker() {
        use TokenKind::*;
        assert_eq!(kinds("{{-3}}")[1], (Number, "-3".into()));
    }

    #[test]
    fn comment_with_trim() {
        use TokenKind::*;
        assert_eq!(
            kinds("x  {{- /* c */ -}}  y"),
            vec![(Text, "x".into()), (Comment, "/* c */".into()), (Text, "y".into()), (Eof, "".into())]
        );
    }

    #[test]
    fn lexer_errors_use_go_texts() {
        let last = |t: &str| lex(t).pop().map(|t| t.text.into_owned()).unwrap_or_default();
        assert_eq!(last("{{ \"abc }}"), "unterminated quoted string");
        assert_eq!(last("{{ .x "), "unclosed action");
        assert_eq!(last("{{/* x */ }}"), "comment ends before closing delimiter");
        assert_eq!(last("{{ 3x }}"), "bad number syntax: \"3x\"");
        assert_eq!(last("{{ ) }}"), "unexpected right paren");
        assert_eq!(last("{{ ( }}"), "unclosed left paren");
        assert_eq!(last("{{ .a# }}"), "bad character U+0023 '#'");
    }

    #[test]
    fn numbers_and_complex_constants() {
        use TokenKind::*;
        let token = |t: &str| kinds(t).into_iter().nth(2).unwrap_or((Eof, std::string::String::new()));
        assert_eq!(token("{{ 0x1.8p-2 }}"), (Number, "0x1.8p-2".into()));
        assert_eq!(token("{{ 1_000.5e-1_0 }}"), (Number, "1_000.5e-1_0".into()));
        assert_eq!(token("{{ .5 }}"), (Number, ".5".into()));
        assert_eq!(token("{{ 5. }}"), (Number, "5.".into()));
        assert_eq!(token("{{ 0x1e }}"), (Number, "0x1e".into()));
        assert_eq!(token("{{ 2i }}"), (Number, "2i".into()));
        assert_eq!(token("{{ 1+2i }}"), (Complex, "1+2i".into()));
        assert_eq!(token("{{ 0.5-0.25i }}"), (Complex, "0.5-0.25i".into()));
        assert_eq!(token("{{ 0b1+1i }}"), (Complex, "0b1+1i".into()));
        assert_eq!(token("{{ 1+i }}"), (Complex, "1+i".into()));
        // Lenient where the parser reports the error.
        assert_eq!(token("{{ 0x }}"), (Number, "0x".into()));
        assert_eq!(token("{{ 1__0 }}"), (Number, "1__0".into()));
        assert_eq!(token("{{ 'ab' }}"), (CharConstant, "'ab'".into()));
        let last = |t: &str| lex(t).pop().map(|t| t.text.into_owned()).unwrap_or_default();
        assert_eq!(last("{{ 1+2 }}"), "bad number syntax: \"1+2\"");
        assert_eq!(last("{{ 2-1 }}"), "bad number syntax: \"2-1\"");
        assert_eq!(last("{{ 1i+1 }}"), "bad number syntax: \"1i+1\"");
        assert_eq!(last("{{ 0x1e+1 }}"), "bad number syntax: \"0x1e+1\"");
        assert_eq!(last("{{ 0b102 }}"), "bad number syntax: \"0b102\"");
        assert_eq!(last("{{ 0o8 }}"), "bad number syntax: \"0o8\"");
        assert_eq!(last("{{ 0xg }}"), "bad number syntax: \"0xg\"");
        assert_eq!(last("{{ 1e3x }}"), "bad number syntax: \"1e3x\"");
    }

    #[test]
    fn positions_and_lines() {
        let tokens = lex("a\n{{ .b }}");
        let field = tokens.iter().find(|t| t.kind == TokenKind::Field).map(|t| (t.offset, t.line));
        assert_eq!(field, Some((5, 2)));
    }
}
