//! Memory that `run`'s kept features are copied into: [`Arena`].
//!
//! A store is written once, front to back, and freed whole: a bump allocator over large
//! anonymous maps does that with no per-page heap allocation and no bookkeeping. The maps
//! are left to the kernel's page size. Asked for huge pages, `run` on the generated crawl was
//! 4% faster at best but 45% slower at the median on a virtual machine that hands freed
//! memory back to its host: a fresh huge page is then backed anew on every use.

use std::ptr::NonNull;

/// Bytes of a worker's arena chunk: large enough that a chunk's unfilled end (all a worker
/// wastes) is small beside a crawl's store, and only address space until it is written.
const CHUNK: usize = 8 << 20;

/// Memory that kept features are copied into, front to back: anonymous maps of [`CHUNK`]
/// bytes, or one of a larger page's own size. Nothing in it is freed before the arena is.
#[derive(Debug, Default)]
pub(super) struct Arena {
    chunks: Vec<memmap2::MmapMut>,
    /// Bytes used of the last chunk.
    used: usize,
    /// A page's packed blocks, before they are copied in.
    pub(super) scratch: Vec<u8>,
}

impl Arena {
    /// `n` bytes (a multiple of 8) at an 8-aligned address, or `None` if no map is to be had.
    pub(super) fn alloc(&mut self, n: usize) -> Option<NonNull<u8>> {
        debug_assert!(n % 8 == 0);
        let fits = self.chunks.last().is_some_and(|c| c.len() - self.used >= n);
        if !fits {
            let map = memmap2::MmapMut::map_anon(n.max(CHUNK)).ok()?;
            self.chunks.push(map);
            self.used = 0;
        }
        let chunk = self.chunks.last_mut().expect("a chunk was pushed");
        // SAFETY: `used + n <= chunk.len()`; a map is page-aligned and `used` stays a
        // multiple of 8.
        let at = unsafe { chunk.as_mut_ptr().add(self.used) };
        self.used += n;
        NonNull::new(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_are_aligned_apart_and_writable() {
        let mut a = Arena::default();
        let mut got = Vec::new();
        for n in [8, 0, 16, CHUNK - 24, 8, CHUNK + 8, 64] {
            let p = a.alloc(n).unwrap();
            assert_eq!(p.as_ptr() as usize % 8, 0);
            // SAFETY: `alloc` gave `n` writable bytes at `p`.
            unsafe { std::ptr::write_bytes(p.as_ptr(), 0xa5, n) };
            got.push((p.as_ptr() as usize, n));
        }
        got.sort();
        for w in got.windows(2) {
            assert!(w[0].0 + w[0].1 <= w[1].0, "{got:?}");
        }
        assert_eq!(a.chunks.len(), 4);
    }
}
