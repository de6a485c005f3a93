//! CRUSH: Ceph's placement algorithm, bit-compatible with `crushtool` (`ceph-osd-side.md` §5.3, §5.5).
