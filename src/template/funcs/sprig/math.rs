//! Sprig's numeric functions and conversions. Integer arithmetic is int64 (wrapping, as in Go);
//! the `...f` functions go through decimal arithmetic like Sprig's shopspring/decimal.

use super::support::{arg, fixed, int_arg, str_arg, string, to_float64, to_int64, variadic};
use crate::template::funcs::{FuncError, Function, ParamType as P};
use crate::value::Value;

/// Lists longer than this are refused rather than exhausting memory (`until 1000000000`).
const MAX_SEQUENCE: usize = 10_000_000;

/// This family's functions, with their Go signatures.
pub fn functions() -> Vec<Function> {
    vec![
        fixed("atoi", &[P::String], |a| Ok(Value::Int(str_arg(a, 0)?.parse::<i64>().unwrap_or(0)))),
        fixed("int64", &[P::Any], |a| Ok(Value::Int64(to_int64(arg(a, 0))))),
        fixed("int", &[P::Any], |a| Ok(Value::Int(to_int64(arg(a, 0))))),
        fixed("float64", &[P::Any], |a| Ok(Value::Float(to_float64(arg(a, 0))))),
        fixed("toDecimal", &[P::Any], |a| {
            let text = arg(a, 0).format_v();
            Ok(Value::Int64(parse_octal(&text).unwrap_or(0)))
        }),
        variadic("seq", &[P::Int], seq),
        fixed("until", &[P::Int], |a| {
            let count = int_arg(a, 0)?;
            int_list(until_step(0, count, if count < 0 { -1 } else { 1 })?)
        }),
        fixed("untilStep", &[P::Int, P::Int, P::Int], |a| {
            int_list(until_step(int_arg(a, 0)?, int_arg(a, 1)?, int_arg(a, 2)?)?)
        }),
        fixed("add1", &[P::Any], |a| Ok(Value::Int64(to_int64(arg(a, 0)).wrapping_add(1)))),
        variadic("add", &[P::Any], |a| Ok(Value::Int64(a.iter().fold(0i64, |acc, v| acc.wrapping_add(to_int64(v)))))),
        fixed("sub", &[P::Any, P::Any], |a| Ok(Value::Int64(to_int64(arg(a, 0)).wrapping_sub(to_int64(arg(a, 1)))))),
        fixed("div", &[P::Any, P::Any], |a| {
            let divisor = nonzero(to_int64(arg(a, 1)))?;
            Ok(Value::Int64(to_int64(arg(a, 0)).wrapping_div(divisor)))
        }),
        fixed("mod", &[P::Any, P::Any], |a| {
            let divisor = nonzero(to_int64(arg(a, 1)))?;
            Ok(Value::Int64(to_int64(arg(a, 0)).wrapping_rem(divisor)))
        }),
        variadic("mul", &[P::Any, P::Any], |a| {
            Ok(Value::Int64(a.iter().skip(1).fold(to_int64(arg(a, 0)), |acc, v| acc.wrapping_mul(to_int64(v)))))
        }),
        variadic("max", &[P::Any, P::Any], |a| {
            Ok(Value::Int64(a.iter().map(to_int64).fold(to_int64(arg(a, 0)), i64::max)))
        }),
        variadic("biggest", &[P::Any, P::Any], |a| {
            Ok(Value::Int64(a.iter().map(to_int64).fold(to_int64(arg(a, 0)), i64::max)))
        }),
        variadic("min", &[P::Any, P::Any], |a| {
            Ok(Value::Int64(a.iter().map(to_int64).fold(to_int64(arg(a, 0)), i64::min)))
        }),
        variadic("maxf", &[P::Any, P::Any], |a| {
            Ok(Value::Float(a.iter().skip(1).map(to_float64).fold(to_float64(arg(a, 0)), go_max)))
        }),
        variadic("minf", &[P::Any, P::Any], |a| {
            Ok(Value::Float(a.iter().skip(1).map(to_float64).fold(to_float64(arg(a, 0)), go_min)))
        }),
        fixed("add1f", &[P::Any], |a| decimal_fold(arg(a, 0), &[Value::Int(1)], DecimalOp::Add)),
        variadic("addf", &[P::Any], |a| decimal_fold(&Value::Float(0.0), a, DecimalOp::Add)),
        variadic("subf", &[P::Any, P::Any], |a| {
            decimal_fold(arg(a, 0), a.get(1..).unwrap_or_default(), DecimalOp::Sub)
        }),
        variadic("mulf", &[P::Any, P::Any], |a| {
            decimal_fold(arg(a, 0), a.get(1..).unwrap_or_default(), DecimalOp::Mul)
        }),
        variadic("divf", &[P::Any, P::Any], |a| {
            decimal_fold(arg(a, 0), a.get(1..).unwrap_or_default(), DecimalOp::Div)
        }),
        fixed("floor", &[P::Any], |a| Ok(Value::Float(to_float64(arg(a, 0)).floor()))),
        fixed("ceil", &[P::Any], |a| Ok(Value::Float(to_float64(arg(a, 0)).ceil()))),
        variadic("round", &[P::Any, P::Int, P::Float64], |a| {
            let round_on = match a.get(2) {
                Some(Value::Float(f)) => *f,
                Some(other) => to_float64(other),
                None => 0.5,
            };
            Ok(Value::Float(round(to_float64(arg(a, 0)), int_arg(a, 1)?, round_on)))
        }),
    ]
}

fn nonzero(divisor: i64) -> Result<i64, FuncError> {
    if divisor == 0 { Err(FuncError::new("runtime error: integer divide by zero")) } else { Ok(divisor) }
}

/// Go's `math.Max`: NaN wins, +0 beats -0.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if a == 0.0 && b == 0.0 {
        return if a.is_sign_negative() { b } else { a };
    }
    a.max(b)
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if a == 0.0 && b == 0.0 {
        return if a.is_sign_negative() { a } else { b };
    }
    a.min(b)
}

fn parse_octal(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() {
        return None;
    }
    let magnitude = i64::from_str_radix(digits, 8).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

fn int_list(items: Vec<i64>) -> Result<Value, FuncError> {
    Ok(Value::list(items.into_iter().map(Value::Int).collect()))
}

/// Sprig's `untilStep`: counts from `start` towards `stop` (exclusive); a step pointing the wrong
/// way gives an empty list.
fn until_step(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, FuncError> {
    let mut out = Vec::new();
    let too_long = || FuncError::new(format!("sequence longer than {MAX_SEQUENCE} items"));
    if stop < start {
        if step >= 0 {
            return Ok(out);
        }
        let mut i = start;
        while i > stop {
            if out.len() >= MAX_SEQUENCE {
                return Err(too_long());
            }
            out.push(i);
            i = match i.checked_add(step) {
                Some(next) => next,
                None => break,
            };
        }
        return Ok(out);
    }
    if step <= 0 {
        return Ok(out);
    }
    let mut i = start;
    while i < stop {
        if out.len() >= MAX_SEQUENCE {
            return Err(too_long());
        }
        out.push(i);
        i = match i.checked_add(step) {
            Some(next) => next,
            None => break,
        };
    }
    Ok(out)
}

fn seq(a: &[Value]) -> Result<Value, FuncError> {
    let params: Vec<i64> = (0..a.len()).map(|i| int_arg(a, i)).collect::<Result<_, _>>()?;
    let numbers = match params.as_slice() {
        [end] => {
            let (start, end) = (1, *end);
            let inc = if end < start { -1 } else { 1 };
            until_step(start, end + inc, inc)?
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step(*start, end + step, step)?
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if *step > 0 {
                    return string("");
                }
            }
            until_step(*start, end + inc, *step)?
        }
        _ => return string(""),
    };
    let text: Vec<String> = numbers.iter().map(i64::to_string).collect();
    string(text.join(" "))
}

/// Sprig's `round`: rounds up when the fractional part of `value * 10^places` reaches `round_on`.
fn round(value: f64, places: i64, round_on: f64) -> f64 {
    let pow = 10f64.powf(places as f64);
    let digit = pow * value;
    let fraction = digit - digit.trunc();
    let rounded = if fraction >= round_on { digit.ceil() } else { digit.floor() };
    rounded / pow
}

#[derive(Clone, Copy)]
enum DecimalOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// An exact decimal `coefficient * 10^exponent`, enough for Sprig's float helpers.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Decimal {
    coefficient: i128,
    exponent: i32,
}

/// shopspring/decimal's default precision for division.
const DIVISION_PRECISION: i32 = 16;

impl Decimal {
    /// `decimal.NewFromFloat`: the shortest decimal that round-trips to `f`.
    fn from_f64(f: f64) -> Result<Decimal, FuncError> {
        if !f.is_finite() {
            return Err(FuncError::new(format!("Cannot create a Decimal from {}", crate::value::format_float_g(f))));
        }
        let sci = format!("{f:e}");
        let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let negative = mantissa.starts_with('-');
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let fraction_len = mantissa.split_once('.').map_or(0, |(_, frac)| frac.len()) as i32;
        let magnitude: i128 = digits.parse().unwrap_or(0);
        Ok(Decimal { coefficient: if negative { -magnitude } else { magnitude }, exponent: exp - fraction_len })
    }

    fn to_f64(self) -> f64 {
        format!("{}e{}", self.coefficient, self.exponent).parse().unwrap_or(0.0)
    }

    fn rescale(self, exponent: i32) -> Option<Decimal> {
        if exponent > self.exponent {
            return None;
        }
        let factor = 10i128.checked_pow((self.exponent - exponent) as u32)?;
        Some(Decimal { coefficient: self.coefficient.checked_mul(factor)?, exponent })
    }

    fn apply(self, op: DecimalOp, other: Decimal) -> Option<Decimal> {
        match op {
            DecimalOp::Add | DecimalOp::Sub => {
                let exponent = self.exponent.min(other.exponent);
                let (a, b) = (self.rescale(exponent)?, other.rescale(exponent)?);
                let coefficient = match op {
                    DecimalOp::Add => a.coefficient.checked_add(b.coefficient)?,
                    _ => a.coefficient.checked_sub(b.coefficient)?,
                };
                Some(Decimal { coefficient, exponent })
            }
            DecimalOp::Mul => Some(Decimal {
                coefficient: self.coefficient.checked_mul(other.coefficient)?,
                exponent: self.exponent.checked_add(other.exponent)?,
            }),
            DecimalOp::Div => {
                // Quotient rounded half away from zero to DIVISION_PRECISION places.
                let target = -DIVISION_PRECISION;
                let shift = self.exponent - other.exponent - target + 1;
                let (num, den) = if shift >= 0 {
                    (self.coefficient.checked_mul(10i128.checked_pow(shift as u32)?)?, other.coefficient)
                } else {
                    (self.coefficient, other.coefficient.checked_mul(10i128.checked_pow((-shift) as u32)?)?)
                };
                let q = num / den;
                let rounded = if q % 10 >= 5 {
                    q / 10 + 1
                } else if q % 10 <= -5 {
                    q / 10 - 1
                } else {
                    q / 10
                };
                Some(Decimal { coefficient: rounded, exponent: target })
            }
        }
    }
}

fn decimal_fold(first: &Value, rest: &[Value], op: DecimalOp) -> Result<Value, FuncError> {
    let mut acc = Decimal::from_f64(to_float64(first))?;
    let mut approx = to_float64(first);
    let mut exact = true;
    for value in rest {
        let f = to_float64(value);
        let d = Decimal::from_f64(f)?;
        if matches!(op, DecimalOp::Div) && d.coefficient == 0 {
            return Err(FuncError::new("decimal division by 0"));
        }
        approx = match op {
            DecimalOp::Add => approx + f,
            DecimalOp::Sub => approx - f,
            DecimalOp::Mul => approx * f,
            DecimalOp::Div => approx / f,
        };
        if exact {
            match acc.apply(op, d) {
                Some(next) => acc = next,
                None => exact = false,
            }
        }
    }
    // Beyond i128 the float result is as close as the decimal one would be.
    Ok(Value::Float(if exact { acc.to_f64() } else { approx }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::sprig::test_support::call;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    #[test]
    fn results_observed_in_helm() {
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            ("add", vec![Value::Int(1), Value::Float(2.9), Value::Float(3.7)], "6"),
            ("int", vec![s("12abc")], "0"),
            ("int", vec![s("0x10")], "16"),
            ("int", vec![s("010")], "8"),
            ("int", vec![s("1.0")], "1"),
            ("int", vec![Value::Float(3.7)], "3"),
            ("int", vec![Value::Float(3.99)], "3"),
            ("int", vec![Value::Bool(true)], "1"),
            ("int", vec![Value::Nil], "0"),
            ("int64", vec![Value::Float(-3.99)], "-3"),
            ("int64", vec![s("1e3")], "0"),
            ("int64", vec![s("0x1F")], "31"),
            ("int64", vec![s("1_000")], "1000"),
            ("atoi", vec![s("42x")], "0"),
            ("atoi", vec![s("-42")], "-42"),
            ("float64", vec![s("3.5")], "3.5"),
            ("float64", vec![s("abc")], "0"),
            ("float64", vec![s("1e3")], "1000"),
            ("until", vec![Value::Int(3)], "[0 1 2]"),
            ("until", vec![Value::Int(-3)], "[0 -1 -2]"),
            ("untilStep", vec![Value::Int(0), Value::Int(10), Value::Int(3)], "[0 3 6 9]"),
            ("div", vec![Value::Int(7), Value::Int(2)], "3"),
            ("mod", vec![Value::Int(-7), Value::Int(3)], "-1"),
            ("mul", vec![Value::Int(2), Value::Int(3), Value::Int(4)], "24"),
            ("max", vec![Value::Int(1), Value::Int(5), Value::Int(3)], "5"),
            ("min", vec![Value::Int(3), Value::Int(1), Value::Int(2)], "1"),
            ("add1", vec![Value::Float(3.7)], "4"),
            ("sub", vec![Value::Int(5), Value::Float(2.5)], "3"),
            ("addf", vec![Value::Float(1.1), Value::Float(2.2)], "3.3"),
            ("addf", vec![Value::Float(0.1), Value::Float(0.2)], "0.3"),
            ("mulf", vec![Value::Float(0.1), Value::Float(0.2)], "0.02"),
            ("divf", vec![Value::Int(1), Value::Int(3)], "0.3333333333333333"),
            ("mulf", vec![Value::Float(1.1), Value::Int(3)], "3.3"),
            ("subf", vec![Value::Int(5), Value::Float(1.5)], "3.5"),
            ("maxf", vec![Value::Int(1), Value::Float(2.5)], "2.5"),
            ("floor", vec![Value::Float(2.7)], "2"),
            ("ceil", vec![Value::Float(2.1)], "3"),
            ("round", vec![Value::Float(2.345), Value::Int(2)], "2.35"),
            ("round", vec![Value::Float(2.5), Value::Int(0)], "3"),
            ("round", vec![Value::Float(-2.5), Value::Int(0)], "-3"),
            ("round", vec![Value::Float(1.23456789), Value::Int(5)], "1.23457"),
            ("seq", vec![Value::Int(5)], "1 2 3 4 5"),
            ("seq", vec![Value::Int(5), Value::Int(1)], "5 4 3 2 1"),
            ("seq", vec![Value::Int(0), Value::Int(2), Value::Int(10)], "0 2 4 6 8 10"),
            ("seq", vec![Value::Int(1), Value::Int(-1)], "1 0 -1"),
            ("seq", vec![], ""),
            ("toDecimal", vec![s("0777")], "511"),
            ("toDecimal", vec![Value::Int(777)], "511"),
            ("toDecimal", vec![s("8")], "0"),
            ("mul", vec![Value::Float(1.5), Value::Int(2)], "2"),
            ("max", vec![Value::Int(4)], "4"),
            ("round", vec![Value::Float(2.5), Value::Int(0), Value::Float(0.6)], "2"),
            ("int64", vec![Value::Float(9.9e18)], "-9223372036854775808"),
            ("int", vec![s("9223372036854775807")], "9223372036854775807"),
            ("float64", vec![s("1e400")], "0"),
            ("add1f", vec![Value::Float(1.5)], "2.5"),
            ("divf", vec![Value::Int(10), Value::Int(4)], "2.5"),
            ("floor", vec![s("3.7")], "3"),
            ("add", vec![Value::Int(1), s("2")], "3"),
        ];
        for (name, args, want) in cases {
            let got = call(name, &args).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.format_v(), want, "{name} {args:?}");
        }
    }

    #[test]
    fn result_types_are_the_go_types() {
        assert_eq!(call("add", &[Value::Int(1), Value::Int(2)]).unwrap().type_name(), "int64");
        assert_eq!(call("max", &[Value::Int(1), Value::Int(2)]).unwrap().type_name(), "int64");
        assert_eq!(call("int", &[s("5")]).unwrap().type_name(), "int");
        assert_eq!(call("float64", &[Value::Int(5)]).unwrap().type_name(), "float64");
        let until = call("until", &[Value::Int(2)]).unwrap();
        assert!(matches!(until.as_list(), Some([Value::Int(0), Value::Int(1)])));
    }

    #[test]
    fn division_by_zero_errors() {
        assert_eq!(
            call("div", &[Value::Int(1), Value::Int(0)]).unwrap_err().0,
            "runtime error: integer divide by zero"
        );
        assert_eq!(call("divf", &[Value::Int(1), Value::Int(0)]).unwrap_err().0, "decimal division by 0");
    }
}
