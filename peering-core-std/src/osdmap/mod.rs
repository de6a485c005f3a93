//! The OSD map, its incrementals, placement pipeline and PG math (`ceph-osd-side.md` §5.1–5.4).
