//! The process's global allocator: mimalloc, asked for plain blocks.
//!
//! A request makes and frees a few dozen small blocks (inputs, the report,
//! the answer). The `mimalloc` crate asks for every block through
//! `mi_malloc_aligned`, which in mimalloc 3 takes a slower path for any
//! block over 1 KiB, and over-allocates those whose size is not a power of
//! two, marking their page so that its frees are slower too. Every mimalloc
//! block is aligned to a word, and nearly every Rust allocation asks for no
//! more, so those go to `mi_malloc`; only the rest pay for the aligned entry
//! points. `scripts/cost.sh` measured it: 2% of a `/healthz` request and
//! 1.5% of a cold five-operation one.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// The alignment every mimalloc block has: its size classes are whole words.
const WORD: usize = std::mem::size_of::<usize>();

/// mimalloc, with word-aligned requests sent to its plain entry points.
pub struct Mimalloc;

// SAFETY: each method hands the request to mimalloc, which returns a block of
// at least `layout.size()` bytes (or null) aligned to a word at least, or to
// `layout.align()` through its aligned entry points; `dealloc` and `realloc`
// get pointers that came from these methods, which `mi_free` and the
// `mi_realloc` family take whichever entry point made them.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe {
            if layout.align() <= WORD {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe {
            if layout.align() <= WORD {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe {
            if layout.align() <= WORD {
                mi::mi_realloc(ptr.cast(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fills `size` bytes at `block` with a pattern [`has_pattern`] checks.
    unsafe fn fill(block: *mut u8, size: usize) {
        for i in 0..size {
            unsafe { block.add(i).write(i as u8) };
        }
    }

    unsafe fn has_pattern(block: *const u8, size: usize) -> bool {
        let bytes = unsafe { std::slice::from_raw_parts(block, size) };
        bytes.iter().enumerate().all(|(i, &b)| b == i as u8)
    }

    /// Sizes across the small, medium and large size classes, at every
    /// alignment from a byte to a page: blocks are aligned, zeroed when
    /// asked, and keep their bytes when grown and shrunk.
    #[test]
    fn blocks_are_aligned_zeroed_and_keep_their_bytes_when_resized() {
        let sizes = (1..=64)
            .chain((72..=2048).step_by(56))
            .chain([4095, 4096, 65_536, 1 << 20]);
        for size in sizes {
            for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
                let layout = Layout::from_size_align(size, align).unwrap();
                let grown = Layout::from_size_align(size * 3 + 5, align).unwrap();
                unsafe {
                    let zeroed = Mimalloc.alloc_zeroed(layout);
                    assert!(!zeroed.is_null());
                    assert_eq!(zeroed as usize % align, 0, "zeroed {size} at {align}");
                    let bytes = std::slice::from_raw_parts(zeroed, size);
                    assert!(bytes.iter().all(|&b| b == 0), "zeroed {size} at {align}");
                    Mimalloc.dealloc(zeroed, layout);

                    let block = Mimalloc.alloc(layout);
                    assert!(!block.is_null());
                    assert_eq!(block as usize % align, 0, "{size} at {align}");
                    fill(block, size);
                    let block = Mimalloc.realloc(block, layout, grown.size());
                    assert_eq!(block as usize % align, 0, "{size} grown at {align}");
                    assert!(has_pattern(block, size), "{size} grown at {align}");
                    let half = size.div_ceil(2);
                    let block = Mimalloc.realloc(block, grown, half);
                    assert_eq!(block as usize % align, 0, "{size} shrunk at {align}");
                    assert!(has_pattern(block, half), "{size} shrunk at {align}");
                    Mimalloc.dealloc(block, Layout::from_size_align(half, align).unwrap());
                }
            }
        }
    }
}
