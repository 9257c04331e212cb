use crate::raw::build::BuilderNode;
use crate::raw::{CompiledAddr, NONE_ADDRESS};

// dechrome's change to fst 0.4.7: each cell keeps the full hash of its node beside it, and a
// node is compared with a cell's (behind the cell's heap pointer) only when the hashes match.
// Keys of random bytes make nodes that are almost never in the registry, and the original
// compared every lookup's two candidate cells node by node, two cache misses on their
// transition vectors. A cell that takes a new node takes the caller's node itself (its
// vector is the one just written, so in cache) instead of copying it into the evicted
// cell's vector. Which lookups find a node, and which cell a node replaces, are unchanged:
// the fst bytes are the same.

#[derive(Debug)]
pub struct Registry {
    table: Vec<RegistryCell>,
    table_size: usize, // number of rows
    mru_size: usize,   // number of columns
}

#[derive(Debug)]
struct RegistryCache<'a> {
    cells: &'a mut [RegistryCell],
}

#[derive(Clone, Debug)]
pub struct RegistryCell {
    addr: CompiledAddr,
    hash: u64,
    node: BuilderNode,
}

#[derive(Debug)]
pub enum RegistryEntry<'a> {
    Found(CompiledAddr),
    NotFound(&'a mut RegistryCell),
    Rejected(BuilderNode),
}

impl Registry {
    pub fn new(table_size: usize, mru_size: usize) -> Registry {
        let empty_cell = RegistryCell::none();
        let ncells = table_size.checked_mul(mru_size).unwrap();
        Registry { table: vec![empty_cell; ncells], table_size, mru_size }
    }

    /// Looks `node` up. Found: its address. NotFound: the cell that now holds `node` (its
    /// address to be set with `insert`). Rejected: no registry; `node` is handed back.
    pub fn entry<'a>(&'a mut self, node: BuilderNode) -> RegistryEntry<'a> {
        if self.table.is_empty() {
            return RegistryEntry::Rejected(node);
        }
        let hash = hash(&node);
        let bucket = (hash as usize) % self.table_size;
        let start = self.mru_size * bucket;
        let end = start + self.mru_size;
        RegistryCache { cells: &mut self.table[start..end] }.entry(node, hash)
    }
}

fn hash(node: &BuilderNode) -> u64 {
    // Basic FNV-1a hash as described:
    // https://en.wikipedia.org/wiki/Fowler%E2%80%93Noll%E2%80%93Vo_hash_function
    //
    // In unscientific experiments, this provides the same compression
    // as `std::hash::SipHasher` but is much much faster.
    const FNV_PRIME: u64 = 1099511628211;
    let mut h = 14695981039346656037;
    h = (h ^ (node.is_final as u64)).wrapping_mul(FNV_PRIME);
    h = (h ^ node.final_output.value()).wrapping_mul(FNV_PRIME);
    for t in &node.trans {
        h = (h ^ (t.inp as u64)).wrapping_mul(FNV_PRIME);
        h = (h ^ t.out.value()).wrapping_mul(FNV_PRIME);
        h = (h ^ (t.addr as u64)).wrapping_mul(FNV_PRIME);
    }
    h
}

impl<'a> RegistryCache<'a> {
    fn entry(self, node: BuilderNode, hash: u64) -> RegistryEntry<'a> {
        let find = |c: &RegistryCell| {
            !c.is_none() && c.hash == hash && c.node == node
        };
        if let Some(i) = self.cells.iter().position(find) {
            let addr = self.cells[i].addr;
            // The original keeps a found cell 0 in place and swaps a found cell 1 to the
            // front; with more columns it promotes: all three are the same move.
            self.cells[..=i].rotate_right(1);
            return RegistryEntry::Found(addr);
        }
        // Discard the least recently used cell; the new node goes to the front.
        let last = self.cells.len() - 1;
        self.cells[last].node = node;
        self.cells[last].hash = hash;
        self.cells.rotate_right(1);
        RegistryEntry::NotFound(&mut self.cells[0])
    }
}

impl RegistryCell {
    fn none() -> RegistryCell {
        RegistryCell { addr: NONE_ADDRESS, hash: 0, node: BuilderNode::default() }
    }

    fn is_none(&self) -> bool {
        self.addr == NONE_ADDRESS
    }

    pub fn insert(&mut self, addr: CompiledAddr) {
        self.addr = addr;
    }

    /// The node this cell holds.
    pub fn node(&self) -> &BuilderNode {
        &self.node
    }
}
