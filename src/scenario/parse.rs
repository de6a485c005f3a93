//! The file format: blocks of a command line, a `----` separator and the
//! expected output, which ends at the first blank line (the data-driven
//! style of CockroachDB's `datadriven` and raft-rs's interaction tests).
//!
//! ```text
//! # A comment: lines starting with '#' between blocks are kept as they are.
//! down osds=1,2
//! ----
//! e12: osd.1, osd.2 down
//! ```

/// One argument: `key=value`, or a bare `word` (`value` is then `None`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Arg {
    /// The key, or the bare word.
    pub key: String,
    /// The value after `=`, if any.
    pub value: Option<String>,
}

/// One command with its expected output.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Block {
    /// The command line's number (1-based).
    pub line: usize,
    /// The command (the line's first word).
    pub command: String,
    /// Its arguments, in order.
    pub args: Vec<Arg>,
    /// The expected output's lines (empty when the block has no `----`).
    pub expected: Vec<String>,
    /// The file's lines this block spans after the command line: the
    /// separator and the expected output (`start..end`, 0-based), so a
    /// rewrite replaces exactly them.
    pub(super) tail: (usize, usize),
}

/// The separator between a command and its expected output.
pub const SEPARATOR: &str = "----";

/// Splits a file's text into blocks. Never fails: every non-blank,
/// non-comment line outside an expected output is a command, and the
/// commands are judged when they run.
pub fn parse(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while let Some(raw) = lines.get(i) {
        let line = raw.trim();
        i += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let command = words.next().unwrap_or_default().to_string();
        let args = words
            .map(|w| match w.split_once('=') {
                Some((k, v)) => Arg {
                    key: k.to_string(),
                    value: Some(v.to_string()),
                },
                None => Arg {
                    key: w.to_string(),
                    value: None,
                },
            })
            .collect();
        let start = i;
        let mut expected = Vec::new();
        if lines.get(i).map(|l| l.trim()) == Some(SEPARATOR) {
            i += 1;
            while let Some(l) = lines.get(i) {
                if l.trim().is_empty() {
                    break;
                }
                expected.push(l.trim_end().to_string());
                i += 1;
            }
        }
        blocks.push(Block {
            line: start,
            command,
            args,
            expected,
            tail: (start, i),
        });
    }
    blocks
}

/// `text` with each block's separator and expected output replaced by the
/// output it produced (`actual`, one entry per block, in order): what
/// `peering run --rewrite` writes back. Comments and spacing stay.
pub fn rewrite(text: &str, blocks: &[Block], actual: &[Vec<String>]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len());
    let mut next = 0;
    for (b, got) in blocks.iter().zip(actual) {
        for l in lines.get(next..b.tail.0).unwrap_or_default() {
            out.push_str(l);
            out.push('\n');
        }
        out.push_str(SEPARATOR);
        out.push('\n');
        for l in got {
            out.push_str(l);
            out.push('\n');
        }
        // The output ends at a blank line: keep one before the next command.
        if lines.get(b.tail.1).is_some_and(|l| !l.trim().is_empty()) {
            out.push('\n');
        }
        next = b.tail.1;
    }
    for l in lines.get(next..).unwrap_or_default() {
        out.push_str(l);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str =
        "# intro\n\ncluster osds=0,1,2 size=3\n----\nold\n\n# next\nrun\nstates\n----\na\nb\n";

    #[test]
    fn blocks_carry_their_line_arguments_and_expected_output() {
        let b = parse(FILE);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].line, 3);
        assert_eq!(b[0].command, "cluster");
        assert_eq!(b[0].args[0].key, "osds");
        assert_eq!(b[0].args[0].value.as_deref(), Some("0,1,2"));
        assert_eq!(b[0].expected, ["old"]);
        // A command without a separator expects nothing.
        assert_eq!((b[1].line, b[1].expected.len()), (8, 0));
        assert_eq!(
            (b[2].line, &b[2].expected[..]),
            (9, &["a".to_string(), "b".to_string()][..])
        );
    }

    #[test]
    fn rewrite_replaces_only_the_expected_outputs() {
        let b = parse(FILE);
        let got = vec![vec!["new".to_string()], vec!["r".to_string()], vec![]];
        let text = rewrite(FILE, &b, &got);
        assert_eq!(
            text,
            "# intro\n\ncluster osds=0,1,2 size=3\n----\nnew\n\n# next\nrun\n----\nr\n\nstates\n----\n"
        );
        // Rewriting what was rewritten with the same output changes nothing.
        let again = parse(&text);
        assert_eq!(again[0].expected, ["new"]);
        assert_eq!(rewrite(&text, &again, &got), text);
    }
}
