//! Go's `regexp` package (RE2 syntax as Go 1.23 parses it, the Go Helm v3.17.2 is built with) on
//! top of the `regex` crate.
//!
//! [`compile`] parses a pattern with Go's rules, in Go's order, so that a pattern Go rejects fails
//! with Go's message, and writes a pattern for the `regex` crate with the same meaning in which
//! every construct is spelled out: Perl and POSIX classes become explicit ASCII ranges, `\b` is
//! the ASCII boundary, `^`/`$`/`.` carry their flags, greediness is explicit, literals are `\x{..}`
//! escapes and capture groups are unnamed (Go allows duplicate and numeric names; names are kept
//! here for [`GoRegex::replace_all`]). Unicode classes are limited to the characters Unicode 15.0
//! assigned, the tables Go 1.23 has.
//!
//! Both engines are leftmost-first with the same preference order, so one match agrees; Go's
//! rules for successive matches (`FindAll`, `ReplaceAll`, `Split`) and for `$` in replacements
//! (`Expand`) are implemented here on single searches.
//!
//! Limits are Go's: counted repetitions up to 1000 (also as a product when nested), a size of
//! 3.3M instructions and a nesting depth of 1000. The `regex` crate then gets a size limit of its
//! own, so that a pattern costs bounded time and memory to compile.

use std::sync::LazyLock;

use regex::{CaptureLocations, Regex, RegexBuilder};

/// Go's `maxRepeat`: the largest count of one counted repetition, and of nested ones multiplied.
const MAX_REPEAT: i64 = 1000;
/// Go's `maxSize`: 128 MB of 40-byte instructions.
const MAX_SIZE: i64 = (128 << 20) / 40;
/// Go's `maxHeight`: the deepest parse tree.
const MAX_HEIGHT: u32 = 1000;
/// What the `regex` crate may spend on one compiled pattern. `\pL{1000}` needs about 100 MB; a
/// pattern beyond this is reported as unsupported rather than compiled.
const RUST_SIZE_LIMIT: usize = 128 << 20;
/// The translation nests at most about twice as deep as Go's tree, which Go limits to 1000.
const RUST_NEST_LIMIT: u32 = 4 * MAX_HEIGHT;

/// The Unicode version of Go 1.23's tables; newer assignments in the `regex` crate's are left out.
const AGE: &str = r"\p{Age=15.0}";
/// A class that matches nothing, and one that matches every character.
const NEVER: &str = r"[^\x{0}-\x{10FFFF}]";
const ANY: &str = r"[\x{0}-\x{10FFFF}]";
const MAX_RUNE: u32 = 0x10FFFF;

/// Why a pattern does not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Go rejects the pattern; the text is Go's (`error parsing regexp: ...`).
    Syntax(String),
    /// Go accepts the pattern, but its translation is beyond the `regex` crate's limits.
    Unsupported(String),
}

/// A compiled pattern with Go's matching rules.
#[derive(Debug)]
pub struct GoRegex {
    re: Regex,
    /// Capture names by group index (0 is the whole match); unnamed groups are `None`.
    names: Vec<Option<String>>,
    /// Whether the Go pattern was the empty string (`Split` treats it specially).
    empty_expr: bool,
}

/// Go's `regexp.Compile`.
pub fn compile(pattern: &str) -> Result<GoRegex, Error> {
    let Translation { text, names, height } = translate(pattern)?;
    let build = || RegexBuilder::new(&text).size_limit(RUST_SIZE_LIMIT).nest_limit(RUST_NEST_LIMIT).build();
    // The regex crate compiles nested groups recursively: a deep pattern (Go allows a depth of
    // 1000) gets a thread with room for it.
    let built = if height > SHALLOW {
        std::thread::scope(|scope| {
            std::thread::Builder::new().stack_size(DEEP_STACK).spawn_scoped(scope, build).map(|t| t.join())
        })
    } else {
        Ok(Ok(build()))
    };
    let re = match built {
        Ok(Ok(result)) => result.map_err(|e| unsupported(pattern, &e.to_string()))?,
        Ok(Err(_)) | Err(_) => return Err(unsupported(pattern, "no thread to compile it on")),
    };
    Ok(GoRegex { re, names, empty_expr: pattern.is_empty() })
}

/// Patterns nesting deeper than this compile on a thread of their own, with `DEEP_STACK` bytes.
const SHALLOW: u32 = 64;
const DEEP_STACK: usize = 256 << 20;

fn unsupported(pattern: &str, detail: &str) -> Error {
    let detail = detail.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    Error::Unsupported(format!(
        "regexp `{pattern}` is valid in Go but beyond what driftgate's regex engine compiles ({})",
        detail.trim_start_matches("error: ")
    ))
}

/// A Go pattern rewritten for the `regex` crate.
#[derive(Debug)]
pub struct Translation {
    /// The `regex`-crate pattern with the meaning of the Go pattern.
    pub text: String,
    /// The capture names by group index (0 is the whole match).
    pub names: Vec<Option<String>>,
    /// The height of Go's parse tree.
    pub height: u32,
}

/// Parses a Go pattern as Go's `regexp/syntax` does and rewrites it for the `regex` crate.
pub fn translate(pattern: &str) -> Result<Translation, Error> {
    Parser::new(pattern).parse()
}

impl GoRegex {
    /// `MatchString`.
    pub fn is_match(&self, s: &str) -> bool {
        self.re.is_match(s)
    }

    /// `FindString`: the leftmost match, or "" when there is none.
    pub fn find<'s>(&self, s: &'s str) -> &'s str {
        self.re.find(s).map_or("", |m| m.as_str())
    }

    /// `FindAllStringIndex`: successive matches, at most `n` (all when negative). An empty match
    /// right after the previous match is skipped, and the search then moves on by one character.
    pub fn find_all(&self, s: &str, n: i64) -> Vec<(usize, usize)> {
        let n = usize::try_from(n).unwrap_or(s.len() + 1);
        let mut out = Vec::new();
        let (mut pos, mut prev_end) = (0usize, None);
        while out.len() < n && pos <= s.len() {
            let Some(m) = self.re.find_at(s, pos) else { break };
            let mut accept = true;
            if m.end() == pos {
                if prev_end == Some(m.start()) {
                    accept = false;
                }
                pos += s[pos..].chars().next().map_or(1, char::len_utf8);
            } else {
                pos = m.end();
            }
            prev_end = Some(m.end());
            if accept {
                out.push((m.start(), m.end()));
            }
        }
        out
    }

    /// `ReplaceAllString` (`expand`: `$` references as `Expand` reads them) or
    /// `ReplaceAllLiteralString`.
    pub fn replace_all(&self, s: &str, repl: &str, expand: bool) -> String {
        let expand = expand && repl.contains('$');
        let mut locs = self.re.capture_locations();
        let mut out = String::with_capacity(s.len());
        let (mut last_end, mut search) = (0usize, 0usize);
        while search <= s.len() {
            let found = if expand {
                self.re.captures_read_at(&mut locs, s, search).map(|m| (m.start(), m.end()))
            } else {
                self.re.find_at(s, search).map(|m| (m.start(), m.end()))
            };
            let Some((start, end)) = found else { break };
            out.push_str(&s[last_end..start]);
            // No replacement for an empty match right after the previous match.
            if end > last_end || start == 0 {
                if expand {
                    self.expand(&mut out, repl, s, &locs);
                } else {
                    out.push_str(repl);
                }
            }
            last_end = end;
            let width = s[search..].chars().next().map_or(0, char::len_utf8);
            search = if search + width > end {
                search + width
            } else if search + 1 > end {
                search + 1
            } else {
                end
            };
        }
        out.push_str(&s[last_end..]);
        out
    }

    /// `Split`: the text between matches, at most `n` pieces (all when negative).
    pub fn split<'s>(&self, s: &'s str, n: i64) -> Vec<&'s str> {
        if n == 0 {
            return Vec::new();
        }
        if !self.empty_expr && s.is_empty() {
            return vec![""];
        }
        let matches = self.find_all(s, n);
        let mut out = Vec::with_capacity(matches.len() + 1);
        let (mut begin, mut end) = (0usize, 0usize);
        for (start, stop) in matches {
            if n > 0 && out.len() as i64 == n - 1 {
                break;
            }
            end = start;
            if stop != 0 {
                out.push(&s[begin..end]);
            }
            begin = stop;
        }
        if end != s.len() {
            out.push(&s[begin..]);
        }
        out
    }

    /// `Expand` of `template` for one match.
    fn expand(&self, out: &mut String, template: &str, src: &str, locs: &CaptureLocations) {
        let mut t = template;
        while let Some(i) = t.find('$') {
            out.push_str(&t[..i]);
            t = &t[i + 1..];
            if let Some(rest) = t.strip_prefix('$') {
                out.push('$');
                t = rest;
                continue;
            }
            let Some((name, num, rest)) = extract(t) else {
                // Malformed: the `$` is text.
                out.push('$');
                continue;
            };
            t = rest;
            match num {
                Some(num) => {
                    if let Some((a, b)) = locs.get(num) {
                        out.push_str(&src[a..b]);
                    }
                }
                None => {
                    // The first group of that name that took part in the match.
                    for (i, group) in self.names.iter().enumerate() {
                        if group.as_deref() == Some(name)
                            && let Some((a, b)) = locs.get(i)
                        {
                            out.push_str(&src[a..b]);
                            break;
                        }
                    }
                }
            }
        }
        out.push_str(t);
    }
}

/// Letters, decimal digits and `_`, as Go's `unicode.IsLetter` / `unicode.IsDigit` see them.
static NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"\A(?:_|[[\p{{L}}\p{{Nd}}]&&{AGE}])*")).expect("valid name pattern"));

/// Go's `extract`: the name after a `$` (`name` or `{name}`), its number when it is a decimal
/// without a leading zero, and the rest of the template.
fn extract(t: &str) -> Option<(&str, Option<usize>, &str)> {
    let (brace, body) = match t.strip_prefix('{') {
        Some(body) => (true, body),
        None => (false, t),
    };
    let len = NAME.find(body).map_or(0, |m| m.end());
    if len == 0 {
        return None;
    }
    let name = &body[..len];
    let mut rest = &body[len..];
    if brace {
        rest = rest.strip_prefix('}')?;
    }
    let mut num: Option<usize> = Some(0);
    for b in name.bytes() {
        num = match num {
            Some(n) if b.is_ascii_digit() && n < 100_000_000 => Some(n * 10 + usize::from(b - b'0')),
            _ => None,
        };
    }
    if name.len() > 1 && name.starts_with('0') {
        num = None;
    }
    Some((name, num, rest))
}

/// Go's `regexp.QuoteMeta`.
pub fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// Go's parse flags that change meaning (`PerlX`, `UnicodeGroups` and `ClassNL` are always on).
#[derive(Clone, Copy, Debug)]
struct Flags {
    /// `i`
    fold: bool,
    /// not `m`: `^` and `$` match at the ends of the text only
    one_line: bool,
    /// `s`
    dot_nl: bool,
    /// `U`
    non_greedy: bool,
}

/// How a translated fragment combines with what follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// One literal character (possibly `(?i:..)`): Go keeps runs of them as one node.
    Literal,
    /// A class, a dot or a group: a repetition can follow it directly.
    Atom,
    /// An assertion, a concatenation or a repetition: a repetition needs a group around it.
    Seq,
    /// An alternation, written without a group: any context needs one.
    Alt,
}

/// A translated piece of the pattern, with what Go's limits need to know of its parse tree.
#[derive(Debug)]
struct Frag {
    text: String,
    kind: Kind,
    /// Go's `calcSize` of the node.
    size: i64,
    /// The height of Go's tree for the node.
    height: u32,
    /// The largest product of nested counted repetitions inside (1 when there are none).
    repeat: i64,
    /// A concatenation of literals only, which Go holds as one literal node.
    literal: bool,
}

impl Frag {
    fn leaf(text: String, kind: Kind) -> Frag {
        Frag { text, kind, size: 1, height: 1, repeat: 1, literal: kind == Kind::Literal }
    }

    /// The text, in a group when it is an alternation.
    fn grouped_alt(&self) -> String {
        if self.kind == Kind::Alt { format!("(?:{})", self.text) } else { self.text.clone() }
    }

    /// The text, as the operand of a repetition.
    fn operand(&self) -> String {
        match self.kind {
            Kind::Literal | Kind::Atom => self.text.clone(),
            Kind::Seq | Kind::Alt => format!("(?:{})", self.text),
        }
    }

    /// The height of the children when Go flattens this node into a parent of the same kind.
    fn flattened_height(&self, kind: Kind) -> u32 {
        if self.kind == kind && kind != Kind::Literal { self.height - 1 } else { self.height }
    }
}

enum Item {
    Frag(Frag),
    /// `(`: the capture index (0 for a non-capturing group) and the flags to restore at `)`.
    Open {
        cap: usize,
        flags: Flags,
    },
    /// `|`: the alternatives below it (down to the `Open`) are finished.
    Bar,
}

/// A repetition operator.
#[derive(Clone, Copy)]
enum Rep {
    Star,
    Plus,
    Quest,
    /// `{min,max}`; `max` is -1 for `{min,}`.
    Count(i64, i64),
}

struct Parser<'p> {
    whole: &'p str,
    flags: Flags,
    stack: Vec<Item>,
    names: Vec<Option<String>>,
}

fn syntax(code: &str, expr: &str) -> Error {
    Error::Syntax(format!("error parsing regexp: {code}: `{expr}`"))
}

impl<'p> Parser<'p> {
    fn new(whole: &'p str) -> Self {
        Parser {
            whole,
            flags: Flags { fold: false, one_line: true, dot_nl: false, non_greedy: false },
            stack: Vec::new(),
            names: vec![None],
        }
    }

    fn parse(mut self) -> Result<Translation, Error> {
        let whole = self.whole;
        let mut pos = 0;
        // Where the previous token started, when it was a repetition operator.
        let mut last_repeat: Option<usize> = None;
        while pos < whole.len() {
            let t = &whole[pos..];
            let mut repeat = None;
            let c = t.chars().next().unwrap_or_default();
            match c {
                '(' if t.starts_with("(?") => pos = self.perl_flags(pos)?,
                '(' => {
                    let cap = self.new_capture(None);
                    self.stack.push(Item::Open { cap, flags: self.flags });
                    pos += 1;
                }
                '|' => {
                    self.concat()?;
                    self.stack.push(Item::Bar);
                    pos += 1;
                }
                ')' => {
                    self.right_paren()?;
                    pos += 1;
                }
                '^' => {
                    self.push(Frag::leaf((if self.flags.one_line { r"\A" } else { "(?m:^)" }).into(), Kind::Seq))?;
                    pos += 1;
                }
                '$' => {
                    self.push(Frag::leaf((if self.flags.one_line { r"\z" } else { "(?m:$)" }).into(), Kind::Seq))?;
                    pos += 1;
                }
                '.' => {
                    self.push(Frag::leaf((if self.flags.dot_nl { "(?s:.)" } else { "." }).into(), Kind::Atom))?;
                    pos += 1;
                }
                '[' => pos = self.class(pos)?,
                '*' | '+' | '?' => {
                    let op = match c {
                        '*' => Rep::Star,
                        '+' => Rep::Plus,
                        _ => Rep::Quest,
                    };
                    let after = self.repeat(op, pos, pos + 1, last_repeat)?;
                    repeat = Some(pos);
                    pos = after;
                }
                '{' => match parse_repeat(t) {
                    None => {
                        // Not a repetition: `{` is a literal.
                        self.literal('{' as u32)?;
                        pos += 1;
                    }
                    Some((min, max, len)) => {
                        if !(0..=MAX_REPEAT).contains(&min) || max > MAX_REPEAT || (max >= 0 && min > max) {
                            return Err(syntax("invalid repeat count", &t[..len]));
                        }
                        let after = self.repeat(Rep::Count(min, max), pos, pos + len, last_repeat)?;
                        repeat = Some(pos);
                        pos = after;
                    }
                },
                '\\' => pos = self.backslash(pos)?,
                _ => {
                    self.literal(c as u32)?;
                    pos += c.len_utf8();
                }
            }
            last_repeat = repeat;
        }
        self.concat()?;
        self.alternate()?;
        if self.stack.len() != 1 {
            return Err(syntax("missing closing )", whole));
        }
        let Some(Item::Frag(frag)) = self.stack.pop() else {
            return Err(syntax("missing closing )", whole));
        };
        Ok(Translation { text: frag.text, names: self.names, height: frag.height })
    }

    fn new_capture(&mut self, name: Option<&str>) -> usize {
        self.names.push(name.map(str::to_string));
        self.names.len() - 1
    }

    /// Go's `checkLimits` for a new node.
    fn check(&self, frag: &Frag) -> Result<(), Error> {
        if frag.size > MAX_SIZE {
            return Err(syntax("expression too large", self.whole));
        }
        if frag.height > MAX_HEIGHT {
            return Err(syntax("expression nests too deeply", self.whole));
        }
        Ok(())
    }

    fn push(&mut self, frag: Frag) -> Result<(), Error> {
        self.check(&frag)?;
        self.stack.push(Item::Frag(frag));
        Ok(())
    }

    fn literal(&mut self, r: u32) -> Result<(), Error> {
        let Some(c) = char::from_u32(r) else {
            // A surrogate: a valid rune for Go's parser that no UTF-8 text contains.
            return self.push(Frag::leaf(NEVER.into(), Kind::Literal));
        };
        let mut text = String::new();
        push_char(&mut text, c);
        if self.flags.fold && (c.is_ascii_alphabetic() || !c.is_ascii()) {
            text = format!("(?i:{text})");
        }
        self.push(Frag::leaf(text, Kind::Literal))
    }

    /// Go's `repeat`: applies the operator at `before..op_end` to the top of the stack and returns
    /// where parsing continues.
    fn repeat(&mut self, op: Rep, before: usize, op_end: usize, last_repeat: Option<usize>) -> Result<usize, Error> {
        let mut after = op_end;
        let mut non_greedy = self.flags.non_greedy;
        if self.whole[after..].starts_with('?') {
            after += 1;
            non_greedy = !non_greedy;
        }
        if let Some(last) = last_repeat {
            return Err(syntax("invalid nested repetition operator", &self.whole[last..after]));
        }
        let sub = match self.stack.pop() {
            Some(Item::Frag(sub)) => sub,
            other => {
                self.stack.extend(other);
                return Err(syntax("missing argument to repetition operator", &self.whole[before..after]));
            }
        };
        let (suffix, size, repeat) = match op {
            Rep::Star => ("*".to_string(), 2 + sub.size, sub.repeat),
            Rep::Plus => ("+".to_string(), 1 + sub.size, sub.repeat),
            Rep::Quest => ("?".to_string(), 1 + sub.size, sub.repeat),
            Rep::Count(min, max) => {
                let suffix = match max {
                    -1 => format!("{{{min},}}"),
                    max if max == min => format!("{{{min}}}"),
                    max => format!("{{{min},{max}}}"),
                };
                let size = match max {
                    -1 if min == 0 => 2 + sub.size,
                    -1 => 1 + min * sub.size,
                    max => max * sub.size + (max - min),
                };
                let repeat = match max {
                    0 => 1,
                    -1 => min.max(1) * sub.repeat,
                    max => max * sub.repeat,
                };
                (suffix, size, repeat)
            }
        };
        let frag = Frag {
            text: format!("{}{suffix}{}", sub.operand(), if non_greedy { "?" } else { "" }),
            kind: Kind::Seq,
            size: size.max(1),
            height: sub.height + 1,
            repeat,
            literal: false,
        };
        self.check(&frag)?;
        if let Rep::Count(min, max) = op
            && (min >= 2 || max >= 2)
            && frag.repeat > MAX_REPEAT
        {
            return Err(syntax("invalid repeat count", &self.whole[before..after]));
        }
        self.stack.push(Item::Frag(frag));
        Ok(after)
    }

    /// Replaces the fragments above the topmost `(` or `|` by their concatenation.
    fn concat(&mut self) -> Result<(), Error> {
        let start = self.stack.iter().rposition(|i| !matches!(i, Item::Frag(_))).map_or(0, |i| i + 1);
        let frags: Vec<Frag> = self
            .stack
            .drain(start..)
            .map(|i| match i {
                Item::Frag(f) => f,
                _ => unreachable!("only fragments above the marker"),
            })
            .collect();
        let frag = match frags.len() {
            0 => Frag::leaf("(?:)".into(), Kind::Atom),
            1 => frags.into_iter().next().unwrap_or_else(|| Frag::leaf(String::new(), Kind::Atom)),
            _ => {
                let literal = frags.iter().all(|f| f.literal);
                Frag {
                    text: frags.iter().map(Frag::grouped_alt).collect(),
                    kind: Kind::Seq,
                    size: frags.iter().map(|f| f.size).sum::<i64>().max(1),
                    height: if literal {
                        1
                    } else {
                        1 + frags.iter().map(|f| f.flattened_height(Kind::Seq)).max().unwrap_or(0)
                    },
                    repeat: frags.iter().map(|f| f.repeat).max().unwrap_or(1),
                    literal,
                }
            }
        };
        self.push(frag)
    }

    /// Replaces the alternatives above the topmost `(` by their alternation (after `concat`).
    fn alternate(&mut self) -> Result<(), Error> {
        let mut alts = Vec::new();
        while let Some(Item::Frag(_)) = self.stack.last() {
            let Some(Item::Frag(f)) = self.stack.pop() else { break };
            alts.push(f);
            if matches!(self.stack.last(), Some(Item::Bar)) {
                self.stack.pop();
            } else {
                break;
            }
        }
        alts.reverse();
        let frag = match alts.len() {
            0 => Frag::leaf(NEVER.into(), Kind::Atom),
            1 => alts.pop().unwrap_or_else(|| Frag::leaf(NEVER.into(), Kind::Atom)),
            n => Frag {
                text: alts.iter().map(|f| f.text.as_str()).collect::<Vec<_>>().join("|"),
                kind: Kind::Alt,
                size: (alts.iter().map(|f| f.size).sum::<i64>() + n as i64 - 1).max(1),
                height: 1 + alts.iter().map(|f| f.flattened_height(Kind::Alt)).max().unwrap_or(0),
                repeat: alts.iter().map(|f| f.repeat).max().unwrap_or(1),
                literal: false,
            },
        };
        self.push(frag)
    }

    fn right_paren(&mut self) -> Result<(), Error> {
        self.concat()?;
        self.alternate()?;
        let inner = match self.stack.pop() {
            Some(Item::Frag(f)) => f,
            _ => return Err(syntax("unexpected )", self.whole)),
        };
        let Some(Item::Open { cap, flags }) = self.stack.pop() else {
            return Err(syntax("unexpected )", self.whole));
        };
        self.flags = flags;
        if cap == 0 {
            return self.push(inner);
        }
        let frag = Frag {
            text: format!("({})", inner.text),
            kind: Kind::Atom,
            size: 2 + inner.size,
            height: 1 + inner.height,
            repeat: inner.repeat,
            literal: false,
        };
        self.push(frag)
    }

    /// Go's `parsePerlFlags`, at a `(?`: a named capture, a non-capturing group or flags.
    fn perl_flags(&mut self, pos: usize) -> Result<usize, Error> {
        let t = &self.whole[pos..];
        let b = t.as_bytes();
        let starts_with_p = b.len() > 4 && b[2] == b'P' && b[3] == b'<';
        let starts_with_name = b.len() > 3 && b[2] == b'<';
        if starts_with_p || starts_with_name {
            let name_start = if starts_with_p { 4 } else { 3 };
            let Some(end) = t.find('>') else {
                return Err(syntax("invalid named capture", t));
            };
            let name = &t[name_start..end];
            if name.is_empty() || !name.bytes().all(|c| c == b'_' || c.is_ascii_alphanumeric()) {
                return Err(syntax("invalid named capture", &t[..=end]));
            }
            let cap = self.new_capture(Some(name));
            self.stack.push(Item::Open { cap, flags: self.flags });
            return Ok(pos + end + 1);
        }
        let mut flags = self.flags;
        let (mut negated, mut saw_flag) = (false, false);
        let mut i = 2;
        for c in t[2..].chars() {
            i += c.len_utf8();
            match c {
                'i' => flags.fold = !negated,
                'm' => flags.one_line = negated,
                's' => flags.dot_nl = !negated,
                'U' => flags.non_greedy = !negated,
                '-' if !negated => {
                    negated = true;
                    saw_flag = false;
                    continue;
                }
                ':' | ')' if !negated || saw_flag => {
                    if c == ':' {
                        self.stack.push(Item::Open { cap: 0, flags: self.flags });
                    }
                    self.flags = flags;
                    return Ok(pos + i);
                }
                _ => break,
            }
            saw_flag = true;
        }
        Err(syntax("invalid or unsupported Perl syntax", &t[..i]))
    }

    /// A `\` outside a class: an assertion, `\Q...\E`, a class escape or a character.
    fn backslash(&mut self, pos: usize) -> Result<usize, Error> {
        let t = &self.whole[pos..];
        let b = t.as_bytes();
        if b.len() >= 2 {
            let assertion = match b[1] {
                b'A' => Some(r"\A"),
                b'b' => Some(r"(?-u:\b)"),
                b'B' => Some(r"(?-u:\B)"),
                b'z' => Some(r"\z"),
                b'C' => return Err(syntax("invalid escape sequence", r"\C")),
                b'Q' => {
                    let rest = &t[2..];
                    let (lit, len) = match rest.find(r"\E") {
                        Some(i) => (&rest[..i], 2 + i + 2),
                        None => (rest, t.len()),
                    };
                    for c in lit.chars() {
                        self.literal(c as u32)?;
                    }
                    return Ok(pos + len);
                }
                _ => None,
            };
            if let Some(text) = assertion {
                self.push(Frag::leaf(text.into(), Kind::Seq))?;
                return Ok(pos + 2);
            }
            if b[1] == b'p' || b[1] == b'P' {
                let (part, len) = unicode_class(t)?;
                let mut class = Class::new(self.flags.fold);
                class.parts.push(part);
                self.push(Frag::leaf(class.text(), Kind::Atom))?;
                return Ok(pos + len);
            }
            if let Some(group) = perl_group(b[0], b[1]) {
                let mut class = Class::new(self.flags.fold);
                class.parts.push(group.part(self.flags.fold));
                self.push(Frag::leaf(class.text(), Kind::Atom))?;
                return Ok(pos + 2);
            }
        }
        let (r, len) = escape(t)?;
        self.literal(r)?;
        Ok(pos + len)
    }

    /// Go's `parseClass`, at a `[`.
    fn class(&mut self, pos: usize) -> Result<usize, Error> {
        let s = &self.whole[pos..];
        let mut class = Class::new(self.flags.fold);
        let mut i = 1;
        if s[i..].starts_with('^') {
            class.negated = true;
            i += 1;
        }
        // `]` is a member when it comes first.
        let mut first = true;
        loop {
            let t = &s[i..];
            if t.starts_with(']') && !first {
                break;
            }
            first = false;
            if t.len() > 2
                && t.starts_with("[:")
                && let Some(end) = t[2..].find(":]")
            {
                let name = &t[..end + 4];
                let Some(group) = posix_group(name) else {
                    return Err(syntax("invalid character class range", name));
                };
                class.parts.push(group.part(self.flags.fold));
                i += name.len();
                continue;
            }
            if t.starts_with(r"\p") || t.starts_with(r"\P") {
                let (part, len) = unicode_class(t)?;
                class.parts.push(part);
                i += len;
                continue;
            }
            let tb = t.as_bytes();
            if tb.len() >= 2
                && let Some(group) = perl_group(tb[0], tb[1])
            {
                class.parts.push(group.part(self.flags.fold));
                i += 2;
                continue;
            }
            let range_start = i;
            let (lo, len) = class_char(t, s)?;
            i += len;
            let mut hi = lo;
            let rest = &s.as_bytes()[i..];
            // `-` before `]` is a member, not a range.
            if rest.len() >= 2 && rest[0] == b'-' && rest[1] != b']' {
                i += 1;
                let (h, len) = class_char(&s[i..], s)?;
                i += len;
                hi = h;
                if hi < lo {
                    return Err(syntax("invalid character class range", &s[range_start..i]));
                }
            }
            class.parts.push(Part::Ranges(vec![(lo, hi)]));
        }
        i += 1;
        self.push(Frag::leaf(class.text(), Kind::Atom))?;
        Ok(pos + i)
    }
}

/// Go's `parseRepeat` of `{n}`, `{n,}` or `{n,m}` at the start of `s`: min, max (-1 when open),
/// the length; `None` when `s` does not start with one (then `{` is a literal). A count too large
/// to read gives min -1.
fn parse_repeat(s: &str) -> Option<(i64, i64, usize)> {
    let b = s.as_bytes();
    let mut i = 1;
    let (mut min, len) = parse_int(&b[i..])?;
    i += len;
    let max;
    match b.get(i)? {
        b',' => {
            i += 1;
            match b.get(i)? {
                b'}' => max = -1,
                _ => {
                    let (m, len) = parse_int(&b[i..])?;
                    i += len;
                    max = m;
                    if m < 0 {
                        min = -1;
                    }
                }
            }
        }
        _ => max = min,
    }
    if b.get(i) != Some(&b'}') {
        return None;
    }
    Some((min, max, i + 1))
}

/// Go's `parseInt`: decimal digits without a leading zero; -1 when the value reaches 10^8.
fn parse_int(b: &[u8]) -> Option<(i64, usize)> {
    let len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if len == 0 || (len >= 2 && b[0] == b'0') {
        return None;
    }
    let mut n: i64 = 0;
    for &c in &b[..len] {
        if n >= 100_000_000 {
            n = -1;
            break;
        }
        n = n * 10 + i64::from(c - b'0');
    }
    Some((n, len))
}

/// Go's `parseEscape` of the `\` sequence at the start of `s`: the rune and the length read.
fn escape(s: &str) -> Result<(u32, usize), Error> {
    let Some(c) = s[1..].chars().next() else {
        return Err(syntax("trailing backslash at end of expression", ""));
    };
    let mut i = 1 + c.len_utf8();
    let invalid = |i: usize| Err(syntax("invalid escape sequence", &s[..i]));
    let octal = |c: u8| (b'0'..=b'7').contains(&c);
    match c {
        // `\1`..`\7` alone would be backreferences, which Go does not support.
        '1'..='7' if !s.as_bytes().get(i).is_some_and(|&b| octal(b)) => invalid(i),
        '0'..='7' => {
            let mut r = c as u32 - '0' as u32;
            for _ in 1..3 {
                match s.as_bytes().get(i) {
                    Some(&d) if octal(d) => {
                        r = r * 8 + u32::from(d - b'0');
                        i += 1;
                    }
                    _ => break,
                }
            }
            Ok((r, i))
        }
        'x' => {
            let Some(c) = s[i..].chars().next() else { return invalid(i) };
            i += c.len_utf8();
            if c == '{' {
                let (mut r, mut digits) = (0u32, 0);
                loop {
                    let Some(d) = s[i..].chars().next() else { return invalid(i) };
                    i += d.len_utf8();
                    if d == '}' {
                        break;
                    }
                    let Some(v) = d.to_digit(16) else { return invalid(i) };
                    r = r * 16 + v;
                    if r > MAX_RUNE {
                        return invalid(i);
                    }
                    digits += 1;
                }
                return if digits == 0 { invalid(i) } else { Ok((r, i)) };
            }
            let next = s[i..].chars().next();
            i += next.map_or(0, char::len_utf8);
            match (c.to_digit(16), next.and_then(|n| n.to_digit(16))) {
                (Some(x), Some(y)) => Ok((x * 16 + y, i)),
                _ => invalid(i),
            }
        }
        'a' => Ok((7, i)),
        'f' => Ok((12, i)),
        'n' => Ok((10, i)),
        'r' => Ok((13, i)),
        't' => Ok((9, i)),
        'v' => Ok((11, i)),
        // Punctuation escapes itself; letters, digits and non-ASCII do not.
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((c as u32, i)),
        _ => invalid(i),
    }
}

/// Go's `parseClassChar`: one member of a class (`whole` is the class, for the error).
fn class_char(t: &str, whole: &str) -> Result<(u32, usize), Error> {
    match t.chars().next() {
        None => Err(syntax("missing closing ]", whole)),
        Some('\\') => escape(t),
        Some(c) => Ok((c as u32, c.len_utf8())),
    }
}

// ---------------------------------------------------------------------------------------------
// Classes

/// One member of a class: code point ranges, or a class of the `regex` crate's (already folded
/// where it has to be, so that folding it again changes nothing).
enum Part {
    Ranges(Vec<(u32, u32)>),
    Raw(String),
}

struct Class {
    fold: bool,
    negated: bool,
    parts: Vec<Part>,
}

impl Class {
    fn new(fold: bool) -> Self {
        Class { fold, negated: false, parts: Vec::new() }
    }

    /// The `regex`-crate class. Go folds each member and then negates; the `regex` crate folds
    /// the union and then negates, which is the same set.
    fn text(&self) -> String {
        let mut body = String::new();
        for part in &self.parts {
            match part {
                Part::Ranges(ranges) => {
                    for &(lo, hi) in ranges {
                        push_range(&mut body, lo, hi);
                    }
                }
                Part::Raw(text) => body.push_str(text),
            }
        }
        let text = match (body.is_empty(), self.negated) {
            (true, false) => return NEVER.to_string(),
            (true, true) => return ANY.to_string(),
            (false, false) => format!("[{body}]"),
            (false, true) => format!("[^{body}]"),
        };
        if self.fold { format!("(?i:{text})") } else { text }
    }
}

/// A range of a class, without the surrogates (Go's parser accepts them; no text has them).
fn push_range(out: &mut String, lo: u32, hi: u32) {
    let mut emit = |lo: u32, hi: u32| {
        if lo > hi {
            return;
        }
        for (i, r) in [lo, hi].into_iter().enumerate() {
            if i == 1 {
                if lo == hi {
                    break;
                }
                out.push('-');
            }
            out.push_str(&format!("\\x{{{r:X}}}"));
        }
    };
    if hi < 0xD800 || lo > 0xDFFF {
        emit(lo, hi);
    } else {
        emit(lo, 0xD7FF.min(hi));
        emit(0xE000.max(lo), hi);
    }
}

fn push_char(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

/// An ASCII class of Go's (Perl's `\d` or a POSIX `[:alpha:]`), possibly negated.
struct Group {
    negated: bool,
    ranges: &'static [(u32, u32)],
}

impl Group {
    /// Go folds the class before negating it, so a negated class under `(?i)` leaves out the
    /// characters that fold into it (`(?i)\W` matches neither `k` nor `K`, KELVIN SIGN).
    fn part(&self, fold: bool) -> Part {
        if !self.negated {
            return Part::Ranges(self.ranges.to_vec());
        }
        let mut members = self.ranges.to_vec();
        if fold {
            members = ascii_fold(&members);
        }
        Part::Ranges(complement(&members))
    }
}

const DIGIT: &[(u32, u32)] = &[(0x30, 0x39)];
const SPACE_PERL: &[(u32, u32)] = &[(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)];
const WORD: &[(u32, u32)] = &[(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)];

fn perl_group(backslash: u8, letter: u8) -> Option<Group> {
    if backslash != b'\\' {
        return None;
    }
    let ranges = match letter.to_ascii_lowercase() {
        b'd' => DIGIT,
        b's' => SPACE_PERL,
        b'w' => WORD,
        _ => return None,
    };
    Some(Group { negated: letter.is_ascii_uppercase(), ranges })
}

/// Go's POSIX classes, `[:name:]` or `[:^name:]`.
fn posix_group(name: &str) -> Option<Group> {
    let inner = name.strip_prefix("[:")?.strip_suffix(":]")?;
    let (negated, inner) = match inner.strip_prefix('^') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let ranges: &'static [(u32, u32)] = match inner {
        "alnum" => &[(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
        "alpha" => &[(0x41, 0x5A), (0x61, 0x7A)],
        "ascii" => &[(0x00, 0x7F)],
        "blank" => &[(0x09, 0x09), (0x20, 0x20)],
        "cntrl" => &[(0x00, 0x1F), (0x7F, 0x7F)],
        "digit" => DIGIT,
        "graph" => &[(0x21, 0x7E)],
        "lower" => &[(0x61, 0x7A)],
        "print" => &[(0x20, 0x7E)],
        "punct" => &[(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
        "space" => &[(0x09, 0x0D), (0x20, 0x20)],
        "upper" => &[(0x41, 0x5A)],
        "word" => WORD,
        "xdigit" => &[(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
        _ => return None,
    };
    Some(Group { negated, ranges })
}

/// The simple case folding closure of a set of ASCII ranges: the other case of each letter, and
/// ſ (U+017F) with `s`, K (KELVIN SIGN) with `k`.
fn ascii_fold(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut members = [false; 128];
    for &(lo, hi) in ranges {
        for c in lo..=hi.min(127) {
            members[c as usize] = true;
        }
    }
    for c in b'a'..=b'z' {
        let (lower, upper) = (usize::from(c), usize::from(c.to_ascii_uppercase()));
        let either = members[lower] || members[upper];
        members[lower] = either;
        members[upper] = either;
    }
    let mut out = Vec::new();
    for (c, &member) in members.iter().enumerate() {
        if member {
            match out.last_mut() {
                Some((_, hi)) if *hi + 1 == c as u32 => *hi = c as u32,
                _ => out.push((c as u32, c as u32)),
            }
        }
    }
    if members[usize::from(b's')] {
        out.push((0x17F, 0x17F));
    }
    if members[usize::from(b'k')] {
        out.push((0x212A, 0x212A));
    }
    out
}

/// The code points not in `ranges` (sorted, disjoint).
fn complement(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut next = 0u32;
    for &(lo, hi) in ranges {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = hi + 1;
    }
    if next <= MAX_RUNE {
        out.push((next, MAX_RUNE));
    }
    out
}

/// Go's `parseUnicodeClass` of `\pX`, `\p{Name}`, `\P{..}` or `\p{^..}` at the start of `s`.
fn unicode_class(s: &str) -> Result<(Part, usize), Error> {
    let mut negated = s.as_bytes()[1] == b'P';
    let (len, name) = match s[2..].chars().next() {
        Some('{') => match s.find('}') {
            Some(end) => (end + 1, &s[3..end]),
            None => return Err(syntax("invalid character class range", s)),
        },
        Some(c) => (2 + c.len_utf8(), &s[2..2 + c.len_utf8()]),
        None => (2, ""),
    };
    let name = match name.strip_prefix('^') {
        Some(rest) => {
            negated = !negated;
            rest
        }
        None => name,
    };
    let Some(set) = unicode_table(name) else {
        return Err(syntax("invalid character class range", &s[..len]));
    };
    let part = match (set, negated) {
        (None, false) => Part::Ranges(Vec::new()),
        (None, true) => Part::Ranges(vec![(0, MAX_RUNE)]),
        (Some(set), false) => Part::Raw(set),
        (Some(set), true) => Part::Raw(format!("[^{set}]")),
    };
    Ok((part, len))
}

/// The `regex`-crate class for a Unicode class name Go 1.23 knows (exact spelling): `Any`, a
/// general category or a script. `Some(None)` is the empty set (`Cs`: no text has surrogates).
pub(super) fn unicode_table(name: &str) -> Option<Option<String>> {
    if name == "Any" {
        return Some(Some(ANY.to_string()));
    }
    let property = if name == "Cs" {
        return Some(None);
    } else if name == "C" {
        // Go's C is Cc, Cf, Co and Cs; the regex crate's also has the unassigned code points.
        r"\p{Cc}\p{Cf}\p{Co}".to_string()
    } else if CATEGORIES.contains(&name) {
        format!(r"\p{{gc={name}}}")
    } else if SCRIPTS.binary_search(&name).is_ok() {
        format!(r"\p{{sc={name}}}")
    } else {
        return None;
    };
    Some(Some(format!("[[{property}]&&{AGE}]")))
}

/// Go 1.23's `unicode.Categories`, but `C` and `Cs` (see [`unicode_table`]).
const CATEGORIES: &[&str] = &[
    "Cc", "Cf", "Co", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No", "P", "Pc", "Pd",
    "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
];

/// Go 1.23's `unicode.Scripts` (Unicode 15.0), sorted.
const SCRIPTS: &[&str] = &[
    "Adlam",
    "Ahom",
    "Anatolian_Hieroglyphs",
    "Arabic",
    "Armenian",
    "Avestan",
    "Balinese",
    "Bamum",
    "Bassa_Vah",
    "Batak",
    "Bengali",
    "Bhaiksuki",
    "Bopomofo",
    "Brahmi",
    "Braille",
    "Buginese",
    "Buhid",
    "Canadian_Aboriginal",
    "Carian",
    "Caucasian_Albanian",
    "Chakma",
    "Cham",
    "Cherokee",
    "Chorasmian",
    "Common",
    "Coptic",
    "Cuneiform",
    "Cypriot",
    "Cypro_Minoan",
    "Cyrillic",
    "Deseret",
    "Devanagari",
    "Dives_Akuru",
    "Dogra",
    "Duployan",
    "Egyptian_Hieroglyphs",
    "Elbasan",
    "Elymaic",
    "Ethiopic",
    "Georgian",
    "Glagolitic",
    "Gothic",
    "Grantha",
    "Greek",
    "Gujarati",
    "Gunjala_Gondi",
    "Gurmukhi",
    "Han",
    "Hangul",
    "Hanifi_Rohingya",
    "Hanunoo",
    "Hatran",
    "Hebrew",
    "Hiragana",
    "Imperial_Aramaic",
    "Inherited",
    "Inscriptional_Pahlavi",
    "Inscriptional_Parthian",
    "Javanese",
    "Kaithi",
    "Kannada",
    "Katakana",
    "Kawi",
    "Kayah_Li",
    "Kharoshthi",
    "Khitan_Small_Script",
    "Khmer",
    "Khojki",
    "Khudawadi",
    "Lao",
    "Latin",
    "Lepcha",
    "Limbu",
    "Linear_A",
    "Linear_B",
    "Lisu",
    "Lycian",
    "Lydian",
    "Mahajani",
    "Makasar",
    "Malayalam",
    "Mandaic",
    "Manichaean",
    "Marchen",
    "Masaram_Gondi",
    "Medefaidrin",
    "Meetei_Mayek",
    "Mende_Kikakui",
    "Meroitic_Cursive",
    "Meroitic_Hieroglyphs",
    "Miao",
    "Modi",
    "Mongolian",
    "Mro",
    "Multani",
    "Myanmar",
    "Nabataean",
    "Nag_Mundari",
    "Nandinagari",
    "New_Tai_Lue",
    "Newa",
    "Nko",
    "Nushu",
    "Nyiakeng_Puachue_Hmong",
    "Ogham",
    "Ol_Chiki",
    "Old_Hungarian",
    "Old_Italic",
    "Old_North_Arabian",
    "Old_Permic",
    "Old_Persian",
    "Old_Sogdian",
    "Old_South_Arabian",
    "Old_Turkic",
    "Old_Uyghur",
    "Oriya",
    "Osage",
    "Osmanya",
    "Pahawh_Hmong",
    "Palmyrene",
    "Pau_Cin_Hau",
    "Phags_Pa",
    "Phoenician",
    "Psalter_Pahlavi",
    "Rejang",
    "Runic",
    "Samaritan",
    "Saurashtra",
    "Sharada",
    "Shavian",
    "Siddham",
    "SignWriting",
    "Sinhala",
    "Sogdian",
    "Sora_Sompeng",
    "Soyombo",
    "Sundanese",
    "Syloti_Nagri",
    "Syriac",
    "Tagalog",
    "Tagbanwa",
    "Tai_Le",
    "Tai_Tham",
    "Tai_Viet",
    "Takri",
    "Tamil",
    "Tangsa",
    "Tangut",
    "Telugu",
    "Thaana",
    "Thai",
    "Tibetan",
    "Tifinagh",
    "Tirhuta",
    "Toto",
    "Ugaritic",
    "Vai",
    "Vithkuqi",
    "Wancho",
    "Warang_Citi",
    "Yezidi",
    "Yi",
    "Zanabazar_Square",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn re(pattern: &str) -> GoRegex {
        compile(pattern).unwrap_or_else(|e| panic!("{pattern}: {e:?}"))
    }

    fn error(pattern: &str) -> String {
        match compile(pattern) {
            Err(Error::Syntax(message)) => message,
            other => panic!("{pattern}: expected Go's error, got {other:?}"),
        }
    }

    fn find_all(pattern: &str, s: &str) -> Vec<String> {
        let re = re(pattern);
        re.find_all(s, -1).into_iter().map(|(a, b)| s[a..b].to_string()).collect()
    }

    #[test]
    fn translations_spell_out_go_meanings() {
        let cases = [
            (r"\d", r"[\x{30}-\x{39}]"),
            (r"[\w-\.]", r"[\x{30}-\x{39}\x{41}-\x{5A}\x{5F}\x{61}-\x{7A}\x{2D}\x{2E}]"),
            (r"\Qa.b\E", r"a\x{2E}b"),
            ("^a$", r"\Aa\z"),
            ("(?m)^a$", "(?m:^)a(?m:$)"),
            ("(?s).", "(?s:.)"),
            ("(?i)a1", "(?i:a)1"),
            ("(?U)a*b*?", "a*?b*"),
            (r"\b\B", r"(?-u:\b)(?-u:\B)"),
            ("(?P<x>a)|(?<y>b)", "(a)|(b)"),
            ("(?:ab)*", "(?:ab)*"),
            ("(a|b)+", "(a|b)+"),
            ("a(?:b|c)d", "a(?:b|c)d"),
            ("x{2,}?", "x{2,}?"),
            (r"\x{D800}", NEVER),
            (r"[^\x00-\x{10FFFF}]", r"[^\x{0}-\x{D7FF}\x{E000}-\x{10FFFF}]"),
            ("", "(?:)"),
            (r"\pL", r"[[[\p{gc=L}]&&\p{Age=15.0}]]"),
        ];
        for (go, rust) in cases {
            assert_eq!(translate(go).unwrap().text, rust, "{go}");
        }
        let names = translate("(a)(?P<n>b)(?:c)(?<m>d)").unwrap().names;
        assert_eq!(names, vec![None, None, Some("n".into()), Some("m".into())]);
    }

    #[test]
    fn patterns_only_go_accepts_match_as_in_go() {
        assert!(re(r"^[\w-\.]+$").is_match("a-b.c"));
        assert!(re(r"^[\w-.]+$").is_match("a-b.c"));
        assert!(re("[[:alpha:]]").is_match("x"));
        assert!(!re("[[:^alpha:]]").is_match("x"));
        assert!(re(r"\pN").is_match("٣"));
        assert!(re(r"\123").is_match("S"));
        assert!(re("(?P<a>x)(?P<a>y)").is_match("xy"));
        assert!(re("(?P<1x>y)").is_match("y"));
        assert!(re("a(?i)*").is_match("aaa"));
        assert!(re("^*$").is_match(""));
        assert!(re("(?)a").is_match("a"));
        assert!(re("x{1,2").is_match("x{1,2"));
        // ASCII-only Perl classes, and folding before negation.
        assert!(!re(r"\d").is_match("٣"));
        assert!(!re(r"\w").is_match("é"));
        assert!(re(r"(?i)\w").is_match("\u{212A}"));
        assert!(!re(r"(?i)\W").is_match("\u{212A}"));
        assert!(!re(r"(?i)\W").is_match("s"));
        assert!(re(r"(?i)[^\W]").is_match("\u{17F}"));
        // Go 1.23's Unicode tables: C without the unassigned code points.
        assert!(!re(r"\p{C}").is_match("\u{378}"));
        assert!(re(r"\p{C}").is_match("\u{E000}"));
        assert!(!re(r"\p{Cs}").is_match("a"));
    }

    #[test]
    fn go_error_messages() {
        let cases = [
            ("(", "missing closing ): `(`"),
            ("a)", "unexpected ): `a)`"),
            ("x[a-", "missing closing ]: `[a-`"),
            ("[]", "missing closing ]: `[]`"),
            ("*a", "missing argument to repetition operator: `*`"),
            ("(?i){2}?", "missing argument to repetition operator: `{2}?`"),
            ("a**", "invalid nested repetition operator: `**`"),
            ("a*?+", "invalid nested repetition operator: `*?+`"),
            ("a{1001}", "invalid repeat count: `{1001}`"),
            ("x{2,1}", "invalid repeat count: `{2,1}`"),
            ("x{100000000}", "invalid repeat count: `{100000000}`"),
            ("(a{10}){101}?", "invalid repeat count: `{101}?`"),
            ("(a|b{1000}){2}", "invalid repeat count: `{2}`"),
            (r"\8", r"invalid escape sequence: `\8`"),
            (r"(a)\1", r"invalid escape sequence: `\1`"),
            (r"\C", r"invalid escape sequence: `\C`"),
            (r"\é", r"invalid escape sequence: `\é`"),
            (r"\x4", r"invalid escape sequence: `\x4`"),
            (r"\x{110000}", r"invalid escape sequence: `\x{110000`"),
            (r"\x{}", r"invalid escape sequence: `\x{}`"),
            (r"[a-\d]", r"invalid escape sequence: `\d`"),
            (r"[\b]", r"invalid escape sequence: `\b`"),
            ("a\\", "trailing backslash at end of expression: ``"),
            ("[z-a]", "invalid character class range: `z-a`"),
            ("[[:foo:]]", "invalid character class range: `[:foo:]`"),
            ("[[:a]b:]", "invalid character class range: `[:a]b:]`"),
            (r"\p{Letter}", r"invalid character class range: `\p{Letter}`"),
            (r"\p{LC}", r"invalid character class range: `\p{LC}`"),
            (r"\pX", r"invalid character class range: `\pX`"),
            (r"\p", r"invalid character class range: `\p`"),
            (r"\p{L", r"invalid character class range: `\p{L`"),
            ("(?P<n!>a)", "invalid named capture: `(?P<n!>`"),
            ("(?P<name", "invalid named capture: `(?P<name`"),
            ("(?P<", "invalid or unsupported Perl syntax: `(?P`"),
            ("(?P=n)", "invalid or unsupported Perl syntax: `(?P`"),
            ("(?=a)", "invalid or unsupported Perl syntax: `(?=`"),
            ("(?i-)a", "invalid or unsupported Perl syntax: `(?i-)`"),
            ("(?--i)", "invalid or unsupported Perl syntax: `(?--`"),
            ("(?i", "invalid or unsupported Perl syntax: `(?i`"),
            // The first error in the pattern wins.
            ("a**(", "invalid nested repetition operator: `**`"),
        ];
        for (pattern, want) in cases {
            assert_eq!(error(pattern), format!("error parsing regexp: {want}"), "{pattern}");
        }
    }

    #[test]
    fn go_limits_bound_hostile_patterns() {
        let deep = format!("{}a{}", "(".repeat(1000), ")".repeat(1000));
        assert_eq!(error(&deep), format!("error parsing regexp: expression nests too deeply: `{deep}`"));
        let ok = format!("{}a{}", "(?:".repeat(999), "*)".repeat(999));
        assert!(re(&ok).is_match("a"));
        let large = "a{1000}".repeat(3400);
        assert!(error(&large).starts_with("error parsing regexp: expression too large: `a{1000}"));
        assert!(error("((a{1000}){1000}){1000}").ends_with("invalid repeat count: `{1000}`"));
        // Valid in Go, but too large for the regex crate: an error that says so, quickly.
        let start = std::time::Instant::now();
        assert!(matches!(compile(&r"\pL{1000}".repeat(4)), Err(Error::Unsupported(_))));
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn successive_matches_follow_go() {
        assert_eq!(find_all("a*", "baaab"), ["", "aaa", ""]);
        assert_eq!(find_all("", "hé"), ["", "", ""]);
        assert_eq!(find_all("b*", "abc"), ["", "b", ""]);
        assert_eq!(find_all("a|ab", "abab"), ["a", "a"]);
        assert_eq!(re("a").find_all("aaaa", 2).len(), 2);
        assert!(re("a").find_all("aaaa", 0).is_empty());
        assert_eq!(re("a*").replace_all("baaab", "X", true), "XbXbX");
        assert_eq!(re("").replace_all("hé", "-", true), "-h-é-");
        assert_eq!(re(r"\B").replace_all("é", "|", true), "|é|");
        assert_eq!(re("x*").split("xaxbxxcx", -1), ["", "a", "b", "c", ""]);
        assert_eq!(re("").split("abc", 2), ["a", "bc"]);
        assert_eq!(re("a").split("", -1), [""]);
        assert!(re("").split("", -1).is_empty());
        assert_eq!(re(",").split("a,b,c", 2), ["a", "b,c"]);
    }

    #[test]
    fn expand_follows_go() {
        let cases = [
            ("a(x*)b", "-ab-axxb-", "$1x", "---"),
            ("a(x*)b", "-ab-axxb-", "${1}x", "-x-xxx-"),
            ("a(x*)b", "-ab-axxb-", "$$1 $ ${1 ${}", "-$1 $ ${1 ${}-$1 $ ${1 ${}-"),
            ("a(x*)b", "-ab-axxb-", "$01|$00|$0", "-||ab-||axxb-"),
            ("a(?P<01>x*)b", "-ab-axxb-", "[$01]", "-[]-[xx]-"),
            ("(?P<n>a)|(?P<n>b)", "ab", "[$n]", "[a][b]"),
            ("(a)", "a", "$1é|$1٣|$é|${1}é", "|||aé"),
            ("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", "abcdefghijk", "$10-${1}0", "j-a0"),
            ("(a)|b", "ab", "[$1]", "[a][]"),
        ];
        for (pattern, s, template, want) in cases {
            assert_eq!(re(pattern).replace_all(s, template, true), want, "{pattern} {template}");
        }
        assert_eq!(re("(a)").replace_all("a", "$1$$", false), "$1$$");
    }

    #[test]
    fn no_pattern_panics() {
        const PIECES: &[&str] = &[
            "a", "é", "\\", "(", ")", "(?", "(?P<", "(?<", ">", "[", "]", "^", "-", "{", "}", ",", "1", "0", "*", "+",
            "?", "|", ":", "i", "-", "\\p", "\\P", "{L}", "\\Q", "\\E", "\\x", "\\x{", "[:", ":]", "alpha", "\\d",
            "\\W", "\\b", "$", ".", "D800", "7", "\u{212A}",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..50_000 {
            let len = next() % 12;
            let pattern: String = (0..len).map(|_| PIECES[(next() % PIECES.len() as u64) as usize]).collect();
            match compile(&pattern) {
                Ok(re) => {
                    re.find_all("aé-1{}[]\u{212A}\n", -1);
                    re.replace_all("aé-1", "$1${x}$", true);
                }
                // A small pattern Go accepts must translate to one the regex crate accepts.
                Err(Error::Unsupported(message)) => panic!("{message}"),
                Err(Error::Syntax(_)) => {}
            }
        }
    }

    #[test]
    fn quote_meta_escapes_go_metacharacters() {
        assert_eq!(quote_meta(r"a.b*c\d{e}é"), r"a\.b\*c\\d\{e\}é");
        assert!(re(&quote_meta("1.2+[x]")).is_match("1.2+[x]"));
    }
}
