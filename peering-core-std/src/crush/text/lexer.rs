//! Tokens of the CRUSH text form: words and the brackets `{ } [ ]`, with `#`
//! comments dropped and line numbers kept for error messages.

/// One token and the 1-based line it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub(crate) text: &'a str,
    pub(crate) line: usize,
}

/// Split `src` into tokens.
pub(crate) fn tokenize(src: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    for (n, raw) in src.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("");
        let mut start: Option<usize> = None;
        for (i, ch) in line.char_indices() {
            let bracket = matches!(ch, '{' | '}' | '[' | ']');
            if ch.is_whitespace() || bracket {
                if let Some(s) = start.take()
                    && let Some(t) = line.get(s..i)
                {
                    out.push(Token {
                        text: t,
                        line: n + 1,
                    });
                }
                if bracket && let Some(t) = line.get(i..i + 1) {
                    out.push(Token {
                        text: t,
                        line: n + 1,
                    });
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start
            && let Some(t) = line.get(s..)
        {
            out.push(Token {
                text: t,
                line: n + 1,
            });
        }
    }
    out
}
