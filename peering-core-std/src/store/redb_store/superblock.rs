//! An OSD's database file: created atomically (`ceph-osd --mkfs`), opened,
//! and its superblock checked (the store format and the OSD it belongs to).

use std::collections::BTreeMap;
use std::path::Path;

use peering_core::types::OsdId;
use redb::{Database, ReadableDatabase};

use super::super::StoreError;
use super::{
    OBJECTS, OMAP, OsdDb, PGS, STASHES, STORE_VERSION_KEY, SUPERBLOCK, WHOAMI_KEY, codec, db,
    db_err,
};
use codec::STORE_FORMAT;

impl OsdDb {
    /// Opens `osd`'s database at `path` and checks its superblock; when there
    /// is none, creates it first (`ceph-osd --mkfs`), atomically: it is built
    /// under a temporary name, its superblock committed, and only then renamed
    /// into place, so a crash while creating it leaves no half-made file.
    pub(super) fn open(osd: OsdId, path: &Path) -> Result<OsdDb, StoreError> {
        if !path.exists() {
            Self::mkfs(osd, path)?;
        }
        let db = db!(osd, Database::open(path))?;
        let mut me = OsdDb {
            osd,
            db,
            cache: BTreeMap::new(),
        };
        me.init()?;
        Ok(me)
    }

    /// Creates `osd`'s database at `path` (see [`OsdDb::open`]).
    fn mkfs(osd: OsdId, path: &Path) -> Result<(), StoreError> {
        let tmp = path.with_extension("redb.mkfs");
        let _ = std::fs::remove_file(&tmp);
        {
            let db = db!(osd, Database::create(&tmp))?;
            let mut me = OsdDb {
                osd,
                db,
                cache: BTreeMap::new(),
            };
            me.init()?;
        }
        db!(osd, std::fs::rename(&tmp, path))?;
        // The rename is durable once the directory is.
        if let Some(dir) = path.parent() {
            db!(osd, std::fs::File::open(dir).and_then(|d| d.sync_all()))?;
        }
        Ok(())
    }

    /// Writes the superblock of a new database (and creates every table), or
    /// checks the one found: the store format and the OSD id.
    fn init(&mut self) -> Result<(), StoreError> {
        let osd = self.osd;
        let found = {
            let r = db!(osd, self.db.begin_read())?;
            match r.open_table(SUPERBLOCK) {
                Ok(t) => {
                    let version = db!(osd, redb::ReadableTable::get(&t, STORE_VERSION_KEY))?
                        .map(|v| v.value().to_vec());
                    let whoami = db!(osd, redb::ReadableTable::get(&t, WHOAMI_KEY))?
                        .map(|v| v.value().to_vec());
                    Some((version, whoami))
                }
                Err(redb::TableError::TableDoesNotExist(_)) => None,
                Err(e) => return Err(db_err(osd)(&e)),
            }
        };
        match found {
            Some((Some(version), Some(whoami))) => {
                let v: [u8; 4] =
                    version
                        .as_slice()
                        .try_into()
                        .map_err(|_| StoreError::Corrupt {
                            osd,
                            pgid: None,
                            key: STORE_VERSION_KEY.into(),
                            detail: format!("{} bytes", version.len()),
                        })?;
                let v = u32::from_le_bytes(v);
                if v != STORE_FORMAT {
                    return Err(StoreError::UnknownStoreVersion {
                        osd,
                        found: v,
                        supported: STORE_FORMAT,
                    });
                }
                let id: i32 = codec::decode(osd, None, WHOAMI_KEY.as_bytes(), &whoami)?;
                if id != osd.0 {
                    return Err(StoreError::WrongOsd {
                        osd,
                        found: OsdId(id),
                    });
                }
                Ok(())
            }
            Some(_) => Err(StoreError::Corrupt {
                osd,
                pgid: None,
                key: "superblock".into(),
                detail: "incomplete superblock".into(),
            }),
            None => {
                let w = db!(osd, self.db.begin_write())?;
                {
                    let mut sb = db!(osd, w.open_table(SUPERBLOCK))?;
                    db!(
                        osd,
                        sb.insert(STORE_VERSION_KEY, STORE_FORMAT.to_le_bytes().as_slice())
                    )?;
                    let me = codec::encode(osd, WHOAMI_KEY.as_bytes(), &osd.0)?;
                    db!(osd, sb.insert(WHOAMI_KEY, me.as_slice()))?;
                    for t in [PGS, OMAP, OBJECTS, STASHES] {
                        db!(osd, w.open_table(t))?;
                    }
                }
                db!(osd, w.commit())
            }
        }
    }
}
