//! [`Args`]: one block's arguments, checked against what its command takes.

use std::collections::BTreeSet;

use peering_core::types::{PgId, ShardId};

use super::ErrorKind;
use super::parse::Arg;

/// A command's arguments; every lookup names what the value must look like.
pub struct Args<'a> {
    command: &'static str,
    args: &'a [Arg],
}

impl<'a> Args<'a> {
    /// `args` for `command`, refused if any key is not in `allowed`
    /// (space-separated; bare words included).
    pub fn new(
        command: &'static str,
        args: &'a [Arg],
        allowed: &'static str,
    ) -> Result<Self, ErrorKind> {
        let known: BTreeSet<&str> = allowed.split_whitespace().collect();
        let mut seen = BTreeSet::new();
        for a in args {
            if !known.contains(a.key.as_str()) {
                return Err(ErrorKind::UnknownArgument {
                    command,
                    arg: a.key.clone(),
                    expected: if allowed.is_empty() {
                        "nothing"
                    } else {
                        allowed
                    },
                });
            }
            if !seen.insert(a.key.as_str()) {
                return Err(ErrorKind::BadValue {
                    arg: a.key.clone(),
                    value: a.value.clone().unwrap_or_default(),
                    expected: "the argument once",
                });
            }
        }
        Ok(Args { command, args })
    }

    fn raw(&self, key: &str) -> Option<&'a Arg> {
        self.args.iter().find(|a| a.key == key)
    }

    /// Whether the bare word `word` is there.
    pub fn flag(&self, word: &str) -> bool {
        self.raw(word).is_some()
    }

    /// `key`'s value, if the key is there.
    fn value(&self, key: &str, expected: &'static str) -> Result<Option<&'a str>, ErrorKind> {
        match self.raw(key) {
            None => Ok(None),
            Some(Arg { value: Some(v), .. }) => Ok(Some(v.as_str())),
            Some(a) => Err(ErrorKind::BadValue {
                arg: a.key.clone(),
                value: String::new(),
                expected,
            }),
        }
    }

    /// `key`'s value parsed as `T`, if there.
    fn parsed<T: std::str::FromStr>(
        &self,
        key: &str,
        expected: &'static str,
    ) -> Result<Option<T>, ErrorKind> {
        match self.value(key, expected)? {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| ErrorKind::BadValue {
                arg: key.to_string(),
                value: v.to_string(),
                expected,
            }),
        }
    }

    /// A number, if there.
    pub fn opt_u64(&self, key: &str) -> Result<Option<u64>, ErrorKind> {
        self.parsed(key, "a non-negative integer")
    }

    /// A number, or `default`.
    pub fn u64_or(&self, key: &str, default: u64) -> Result<u64, ErrorKind> {
        Ok(self.opt_u64(key)?.unwrap_or(default))
    }

    /// A required number.
    pub fn u64(&self, key: &'static str) -> Result<u64, ErrorKind> {
        self.opt_u64(key)?.ok_or(ErrorKind::MissingArgument {
            command: self.command,
            arg: key,
        })
    }

    /// A map epoch, if there.
    pub fn opt_epoch(&self, key: &str) -> Result<Option<u32>, ErrorKind> {
        self.parsed(key, "an epoch (a non-negative 32-bit integer)")
    }

    /// A required OSD id.
    pub fn osd(&self, key: &'static str) -> Result<i32, ErrorKind> {
        self.parsed(key, "an OSD id (0, 1, ...)")?
            .ok_or(ErrorKind::MissingArgument {
                command: self.command,
                arg: key,
            })
    }

    /// A comma-separated list of OSD ids, if there.
    pub fn opt_osds(&self, key: &str) -> Result<Option<Vec<i32>>, ErrorKind> {
        let Some(v) = self.value(key, "OSD ids separated by commas (0,1,2)")? else {
            return Ok(None);
        };
        v.split(',')
            .map(|o| {
                o.parse::<i32>()
                    .ok()
                    .filter(|o| *o >= 0)
                    .ok_or_else(|| ErrorKind::BadValue {
                        arg: key.to_string(),
                        value: v.to_string(),
                        expected: "OSD ids separated by commas (0,1,2)",
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A required list of OSD ids.
    pub fn osds(&self, key: &'static str) -> Result<Vec<i32>, ErrorKind> {
        self.opt_osds(key)?.ok_or(ErrorKind::MissingArgument {
            command: self.command,
            arg: key,
        })
    }

    /// `on` or `off`, if there.
    pub fn opt_switch(&self, key: &str) -> Result<Option<bool>, ErrorKind> {
        match self.value(key, "on or off")? {
            None => Ok(None),
            Some("on") => Ok(Some(true)),
            Some("off") => Ok(Some(false)),
            Some(v) => Err(ErrorKind::BadValue {
                arg: key.to_string(),
                value: v.to_string(),
                expected: "on or off",
            }),
        }
    }

    /// A word, if there.
    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, ErrorKind> {
        self.value(key, "a word")
    }

    /// The PG of `pg=POOL.SEED` (Ceph's `1.0`, the seed in hex), or 1.0.
    pub fn pg(&self) -> Result<PgId, ErrorKind> {
        match self.pg_shard()? {
            (pg, None) => Ok(pg),
            (_, Some(_)) => Err(ErrorKind::BadValue {
                arg: "pg".into(),
                value: self.value("pg", "")?.unwrap_or_default().to_string(),
                expected: "a PG id POOL.SEED without a shard here",
            }),
        }
    }

    /// `pg=` as Ceph prints a PG instance: `1.0`, or `1.3s2` for shard 2 of
    /// an erasure-coded PG (`spg_t`'s `operator<<`).
    pub fn pg_shard(&self) -> Result<(PgId, Option<ShardId>), ErrorKind> {
        let Some(v) = self.value("pg", "a PG id such as 1.0")? else {
            return Ok((PgId::new(1, 0), None));
        };
        let bad_shard = || ErrorKind::BadValue {
            arg: "pg".into(),
            value: v.to_string(),
            expected: "a shard after the PG id: 1.3s2 (0 to 127)",
        };
        let (v, shard) = match v.split_once('s') {
            Some((pg, s)) => {
                let s = s
                    .parse::<i8>()
                    .ok()
                    .filter(|s| *s >= 0)
                    .ok_or_else(bad_shard)?;
                (pg, Some(ShardId(s)))
            }
            None => (v, None),
        };
        let bad = || ErrorKind::BadValue {
            arg: "pg".into(),
            value: v.to_string(),
            expected: "a PG id POOL.SEED such as 1.0 or 1.1f (the seed in hex)",
        };
        let (pool, seed) = v.split_once('.').ok_or_else(bad)?;
        let pool = pool.parse::<i64>().map_err(|_| bad())?;
        let seed = u32::from_str_radix(seed, 16).map_err(|_| bad())?;
        Ok((PgId::new(pool, seed), shard))
    }
}
