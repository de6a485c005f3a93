//! Syntax of the CRUSH text form (the grammar in `src/crush/grammar.h`, as
//! `CrushCompiler` reads it): tokens to declarations, with line numbers.

use std::str::FromStr;

use super::super::builder::{RuleSpec, StepSpec};
use super::super::error::CrushError;
use super::super::rule::{RULE_TYPE_ERASURE, RULE_TYPE_REPLICATED, RuleStep};
use super::ast::{BucketDecl, ChooseArgDecl, Decl, ItemDecl, RuleDecl};
use super::lexer::{Token, tokenize};

/// Cursor over the token list.
struct Cursor<'a> {
    toks: Vec<Token<'a>>,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn line(&self) -> usize {
        self.toks
            .get(self.pos)
            .or_else(|| self.toks.last())
            .map_or(1, |t| t.line)
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, CrushError> {
        Err(CrushError::Parse {
            line: self.line(),
            message: message.into(),
        })
    }

    fn peek(&self) -> Option<&'a str> {
        self.toks.get(self.pos).map(|t| t.text)
    }

    fn next(&mut self) -> Result<&'a str, CrushError> {
        match self.toks.get(self.pos) {
            Some(t) => {
                self.pos += 1;
                Ok(t.text)
            }
            None => self.err("unexpected end of input"),
        }
    }

    fn expect(&mut self, word: &str) -> Result<(), CrushError> {
        let line = self.line();
        let got = self.next()?;
        if got == word {
            Ok(())
        } else {
            Err(CrushError::Parse {
                line,
                message: format!("expected '{word}', found '{got}'"),
            })
        }
    }

    fn eat(&mut self, word: &str) -> bool {
        if self.peek() == Some(word) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn num<T: FromStr>(&mut self, what: &str) -> Result<T, CrushError> {
        let line = self.line();
        let t = self.next()?;
        t.parse::<T>().map_err(|_| CrushError::Parse {
            line,
            message: format!("expected {what}, found '{t}'"),
        })
    }

    fn word(&mut self) -> Result<String, CrushError> {
        let line = self.line();
        let t = self.next()?;
        if matches!(t, "{" | "}" | "[" | "]") {
            return Err(CrushError::Parse {
                line,
                message: format!("expected a name, found '{t}'"),
            });
        }
        Ok(t.to_string())
    }
}

/// Parse the whole text into declarations.
pub(crate) fn parse(src: &str) -> Result<Vec<Decl>, CrushError> {
    let mut c = Cursor {
        toks: tokenize(src),
        pos: 0,
    };
    let mut out = Vec::new();
    while let Some(t) = c.peek() {
        let line = c.line();
        let decl = match t {
            "tunable" => {
                c.pos += 1;
                let name = c.word()?;
                let value = c.num::<i64>("a tunable value")?;
                Decl::Tunable { name, value, line }
            }
            "device" => {
                c.pos += 1;
                let id = c.num::<i32>("a device id")?;
                let name = c.word()?;
                let class = if c.eat("class") {
                    Some(c.word()?)
                } else {
                    None
                };
                Decl::Device {
                    id,
                    name,
                    class,
                    line,
                }
            }
            "type" => {
                c.pos += 1;
                let id = c.num::<i32>("a type id")?;
                let name = c.word()?;
                Decl::Type { id, name }
            }
            "rule" => parse_rule(&mut c)?,
            "choose_args" => parse_choose_args(&mut c)?,
            _ => parse_bucket(&mut c)?,
        };
        out.push(decl);
    }
    Ok(out)
}

fn parse_bucket(c: &mut Cursor<'_>) -> Result<Decl, CrushError> {
    let line = c.line();
    let type_name = c.word()?;
    let name = c.word()?;
    c.expect("{")?;
    let mut ids = Vec::new();
    let mut alg = None;
    let mut hash = 0u8;
    let mut items = Vec::new();
    loop {
        let tag = c.next()?;
        match tag {
            "}" => break,
            "id" => {
                let id = c.num::<i32>("a bucket id")?;
                let class = if c.eat("class") {
                    Some(c.word()?)
                } else {
                    None
                };
                ids.push((id, class));
            }
            "alg" => alg = Some(c.word()?),
            "hash" => {
                let h = c.word()?;
                hash = if h == "rjenkins1" {
                    0
                } else {
                    h.parse::<u8>()
                        .or_else(|_| c.err(format!("bad hash '{h}'")))?
                };
            }
            "item" => {
                let iname = c.word()?;
                let mut item = ItemDecl {
                    name: iname,
                    weight: None,
                    pos: None,
                };
                loop {
                    if c.eat("weight") {
                        item.weight = Some(c.num::<f32>("a weight")?);
                    } else if c.eat("pos") {
                        item.pos = Some(c.num::<i32>("a position")?);
                    } else {
                        break;
                    }
                }
                items.push(item);
            }
            other => return c.err(format!("unexpected '{other}' in bucket '{name}'")),
        }
    }
    Ok(Decl::Bucket(BucketDecl {
        type_name,
        name,
        ids,
        alg,
        hash,
        items,
        line,
    }))
}

fn parse_rule(c: &mut Cursor<'_>) -> Result<Decl, CrushError> {
    let line = c.line();
    c.expect("rule")?;
    let name = if c.peek() == Some("{") {
        String::new()
    } else {
        c.word()?
    };
    c.expect("{")?;
    let mut id = None;
    let mut rule_type = RULE_TYPE_REPLICATED;
    let mut min_size = 1u32;
    let mut max_size = 10u32;
    let mut steps = Vec::new();
    let mut step_lines = Vec::new();
    loop {
        let tag = c.next()?;
        match tag {
            "}" => break,
            "id" | "ruleset" => id = Some(c.num::<i32>("a rule id")?),
            "type" => {
                let t = c.word()?;
                rule_type = match t.as_str() {
                    "replicated" => RULE_TYPE_REPLICATED,
                    "erasure" => RULE_TYPE_ERASURE,
                    _ => return c.err(format!("unknown rule type '{t}'")),
                };
            }
            "min_size" => min_size = c.num::<u32>("min_size")?,
            "max_size" => max_size = c.num::<u32>("max_size")?,
            "step" => {
                step_lines.push(c.line());
                steps.push(parse_step(c)?);
            }
            other => return c.err(format!("unexpected '{other}' in rule")),
        }
    }
    let Some(id) = id else {
        return Err(CrushError::Parse {
            line,
            message: "rule has no id".to_string(),
        });
    };
    let spec = RuleSpec {
        id: Some(id),
        name,
        rule_type,
        min_size,
        max_size,
        steps,
    };
    Ok(Decl::Rule(RuleDecl {
        spec,
        step_lines,
        line,
    }))
}

fn parse_step(c: &mut Cursor<'_>) -> Result<StepSpec, CrushError> {
    let op = c.next()?;
    let raw = |s: RuleStep| Ok(StepSpec::Raw(s));
    match op {
        "take" => {
            let item = c.word()?;
            let class = if c.eat("class") {
                Some(c.word()?)
            } else {
                None
            };
            Ok(StepSpec::Take { item, class })
        }
        "choose" | "chooseleaf" => {
            let mode = c.next()?;
            let firstn = match mode {
                "firstn" => true,
                "indep" => false,
                _ => return c.err(format!("expected firstn or indep, found '{mode}'")),
            };
            let num = c.num::<i32>("a count")?;
            c.expect("type")?;
            let type_name = c.word()?;
            Ok(StepSpec::Choose {
                leaf: op == "chooseleaf",
                firstn,
                num,
                type_name,
            })
        }
        "emit" => Ok(StepSpec::Emit),
        "noop" => raw(RuleStep::Noop),
        "set_choose_tries" => raw(RuleStep::SetChooseTries(c.num("a value")?)),
        "set_chooseleaf_tries" => raw(RuleStep::SetChooseLeafTries(c.num("a value")?)),
        "set_choose_local_tries" => raw(RuleStep::SetChooseLocalTries(c.num("a value")?)),
        "set_choose_local_fallback_tries" => {
            raw(RuleStep::SetChooseLocalFallbackTries(c.num("a value")?))
        }
        "set_chooseleaf_vary_r" => raw(RuleStep::SetChooseLeafVaryR(c.num("a value")?)),
        "set_chooseleaf_stable" => raw(RuleStep::SetChooseLeafStable(c.num("a value")?)),
        other => c.err(format!("unknown step '{other}'")),
    }
}

fn parse_choose_args(c: &mut Cursor<'_>) -> Result<Decl, CrushError> {
    c.expect("choose_args")?;
    // Ceph keys choose_args by a signed 64-bit index but may print it unsigned.
    let line = c.line();
    let raw = c.next()?;
    let index = raw
        .parse::<i64>()
        .or_else(|_| raw.parse::<u64>().map(|u| u as i64))
        .map_err(|_| CrushError::Parse {
            line,
            message: format!("expected a choose_args index, found '{raw}'"),
        })?;
    c.expect("{")?;
    let mut args = Vec::new();
    while !c.eat("}") {
        let line = c.line();
        c.expect("{")?;
        let mut arg = ChooseArgDecl {
            bucket_id: 0,
            weight_set: Vec::new(),
            ids: None,
            line,
        };
        loop {
            let tag = c.next()?;
            match tag {
                "}" => break,
                "bucket_id" => arg.bucket_id = c.num("a bucket id")?,
                "weight_set" => {
                    c.expect("[")?;
                    while !c.eat("]") {
                        c.expect("[")?;
                        let mut ws = Vec::new();
                        while !c.eat("]") {
                            ws.push(c.num::<f32>("a weight")?);
                        }
                        arg.weight_set.push(ws);
                    }
                }
                "ids" => {
                    c.expect("[")?;
                    let mut ids = Vec::new();
                    while !c.eat("]") {
                        ids.push(c.num::<i32>("an id")?);
                    }
                    arg.ids = Some(ids);
                }
                other => return c.err(format!("unexpected '{other}' in choose_args")),
            }
        }
        args.push(arg);
    }
    Ok(Decl::ChooseArgs { index, args })
}
