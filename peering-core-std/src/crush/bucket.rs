//! CRUSH buckets (`struct crush_bucket_*` in `src/crush/crush.h`) and the derived
//! arrays `src/crush/builder.c` computes for each algorithm.

use serde::{Deserialize, Serialize};

use super::straw::calc_straws;

/// Bucket algorithm (`CRUSH_BUCKET_*`); the discriminant is Ceph's numeric value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BucketAlg {
    /// `uniform` (1): equal weights, pseudo-random permutation.
    Uniform = 1,
    /// `list` (2): linked list, cheap appends.
    List = 2,
    /// `tree` (3): binary tree of weights.
    Tree = 3,
    /// `straw` (4): the original straw draw with precomputed straw lengths.
    Straw = 4,
    /// `straw2` (5): exponential draws, the modern default.
    Straw2 = 5,
}

impl BucketAlg {
    /// The name `crushtool -d` prints (`alg straw2`).
    pub fn name(self) -> &'static str {
        match self {
            BucketAlg::Uniform => "uniform",
            BucketAlg::List => "list",
            BucketAlg::Tree => "tree",
            BucketAlg::Straw => "straw",
            BucketAlg::Straw2 => "straw2",
        }
    }

    /// Parse the name used in the text form.
    pub fn from_name(name: &str) -> Option<BucketAlg> {
        match name {
            "uniform" => Some(BucketAlg::Uniform),
            "list" => Some(BucketAlg::List),
            "tree" => Some(BucketAlg::Tree),
            "straw" => Some(BucketAlg::Straw),
            "straw2" => Some(BucketAlg::Straw2),
            _ => None,
        }
    }
}

/// One bucket: an interior node of the hierarchy (`struct crush_bucket` plus the
/// algorithm's own arrays). Items are device ids (≥ 0) or bucket ids (< 0), in the
/// order Ceph stores them, which matters for ties and for list/tree buckets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// Bucket id, negative (`-1 - index`).
    pub id: i32,
    /// Type id (host, rack, root... as declared by `type N name`).
    pub type_id: i32,
    /// Selection algorithm.
    pub alg: BucketAlg,
    /// Hash type (`hash 0` = rjenkins1; any other value makes every hash 0 as in Ceph).
    pub hash: u8,
    /// Total weight (16.16 fixed point): sum of item weights, or `size × item_weight`
    /// for uniform buckets.
    pub weight: u32,
    /// Child items in order.
    pub items: Vec<i32>,
    /// Per-item weights (16.16); for uniform buckets every entry is the one item weight.
    pub item_weights: Vec<u32>,
    /// list: cumulative weights `sum_weights[i] = Σ_{j≤i} w_j`.
    pub(crate) sum_weights: Vec<u32>,
    /// tree: node weights indexed by node label (`num_nodes` entries).
    pub(crate) node_weights: Vec<u32>,
    /// straw: straw lengths computed by `crush_calc_straw`.
    pub(crate) straws: Vec<u32>,
}

/// `crush_calc_tree_node(i)`: the label of leaf `i` in a tree bucket.
pub(crate) fn tree_node(i: usize) -> usize {
    ((i + 1) << 1) - 1
}

/// Height of a tree node label: its count of trailing zero bits.
pub(crate) fn tree_height(n: usize) -> u32 {
    if n == 0 { 0 } else { n.trailing_zeros() }
}

/// Parent label of a tree node (`parent()` in builder.c).
fn tree_parent(n: usize) -> usize {
    let h = tree_height(n);
    if n & (1 << (h + 1)) != 0 {
        n - (1 << h)
    } else {
        n + (1 << h)
    }
}

/// `calc_depth(size)`: depth of the smallest full tree with `size` leaves.
fn tree_depth(size: usize) -> u32 {
    if size == 0 {
        return 0;
    }
    let mut depth = 1;
    let mut t = size - 1;
    while t != 0 {
        t >>= 1;
        depth += 1;
    }
    depth
}

impl Bucket {
    /// Build a bucket the way `crush_make_bucket` does: items and weights in order,
    /// derived arrays computed for the algorithm (straw lengths use
    /// `straw_calc_version`). Weight sums wrap like Ceph's `__u32` arithmetic; the
    /// builder and parser reject overflow before getting here.
    pub fn new(
        id: i32,
        type_id: i32,
        alg: BucketAlg,
        hash: u8,
        items: Vec<i32>,
        weights: Vec<u32>,
        straw_calc_version: u8,
    ) -> Bucket {
        let mut b = Bucket {
            id,
            type_id,
            alg,
            hash,
            weight: 0,
            items,
            item_weights: weights,
            sum_weights: Vec::new(),
            node_weights: Vec::new(),
            straws: Vec::new(),
        };
        b.recompute(straw_calc_version);
        b
    }

    /// Recompute the total weight and the algorithm's derived arrays after the items
    /// or weights changed (what `crush_bucket_add_item` / `crush_reweight_bucket` do).
    pub(crate) fn recompute(&mut self, straw_calc_version: u8) {
        self.item_weights.resize(self.items.len(), 0);
        self.sum_weights.clear();
        self.node_weights.clear();
        self.straws.clear();
        match self.alg {
            BucketAlg::Uniform => {
                // Uniform buckets keep one item weight; Ceph takes the first.
                let w = self.item_weights.first().copied().unwrap_or(0);
                self.item_weights.iter_mut().for_each(|x| *x = w);
                self.weight = w.wrapping_mul(self.items.len() as u32);
            }
            BucketAlg::List => {
                let mut sum = 0u32;
                for &w in &self.item_weights {
                    sum = sum.wrapping_add(w);
                    self.sum_weights.push(sum);
                }
                self.weight = sum;
            }
            BucketAlg::Tree => {
                let depth = tree_depth(self.items.len());
                let num_nodes = if depth == 0 { 0 } else { 1usize << depth };
                self.node_weights = vec![0; num_nodes];
                let mut total = 0u32;
                for (i, &w) in self.item_weights.iter().enumerate() {
                    let mut node = tree_node(i);
                    if let Some(slot) = self.node_weights.get_mut(node) {
                        *slot = w;
                    }
                    total = total.wrapping_add(w);
                    for _ in 1..depth {
                        node = tree_parent(node);
                        if let Some(slot) = self.node_weights.get_mut(node) {
                            *slot = slot.wrapping_add(w);
                        }
                    }
                }
                self.weight = total;
            }
            BucketAlg::Straw => {
                self.weight = self
                    .item_weights
                    .iter()
                    .fold(0u32, |a, &w| a.wrapping_add(w));
                self.straws = calc_straws(&self.item_weights, straw_calc_version);
            }
            BucketAlg::Straw2 => {
                self.weight = self
                    .item_weights
                    .iter()
                    .fold(0u32, |a, &w| a.wrapping_add(w));
            }
        }
    }

    /// Number of items (`bucket->size`).
    pub fn size(&self) -> usize {
        self.items.len()
    }

    /// `crush_get_bucket_item_weight`: the weight of the item at `pos`.
    pub fn item_weight(&self, pos: usize) -> u32 {
        self.item_weights.get(pos).copied().unwrap_or(0)
    }

    /// Append an item (`crush_bucket_add_item`), recomputing derived arrays.
    pub(crate) fn add_item(&mut self, item: i32, weight: u32, straw_calc_version: u8) {
        self.items.push(item);
        self.item_weights.push(weight);
        if self.alg == BucketAlg::Uniform && self.items.len() == 1 {
            // The first item fixes a uniform bucket's item weight.
            self.item_weights.iter_mut().for_each(|x| *x = weight);
        }
        self.recompute(straw_calc_version);
    }

    /// Tree buckets: the node-weight array (`num_nodes` entries).
    pub(crate) fn num_nodes(&self) -> usize {
        self.node_weights.len()
    }
}
