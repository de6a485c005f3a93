//! The wire message catalog (`ceph-osd-side.md` §1).
