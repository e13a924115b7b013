import CArgon2
import Glibc
import Synchronization

/// The memory libargon2 hashes in: blocks mapped 2 MiB-aligned, asked for
/// transparent huge pages, and kept between hashes.
///
/// An argon2id hash at the default m = 19 MiB jumps through its block in an
/// order that depends on the data, across 4,864 pages of 4 KiB; on huge pages
/// the same hash takes 3.5–4.5 % less CPU (BENCHMARKS.md, "Hash memory on
/// huge pages"). A block is mapped once and `madvise(MADV_HUGEPAGE)`d, so it
/// gets huge pages where the kernel's `transparent_hugepage` setting is
/// `always` or `madvise`; with `never` it is plain memory, as before. A kept
/// block is not zeroed again by the kernel, which fresh huge pages would be.
///
/// - Important: libargon2 wipes a block (`clear_internal_memory`, on by
///   default) before it hands it back through `free_cbk`, so a kept block
///   holds nothing derived from a password (`Argon2WorkingMemoryTests` pins
///   this).
/// - Note: blocks kept plus blocks in use never outnumber the most that were
///   ever in use at once, which the hashing pool bounds (`[password]
///   hash_workers`): the oldest kept block is unmapped when a hash of another
///   size maps a new one. Each block is the hash's memory rounded up to 2 MiB.
final class Argon2WorkingMemory: Sendable {
    /// The one instance libargon2's allocation callbacks use (they get no context).
    static let shared = Argon2WorkingMemory()

    /// The alignment and size granule of a block: one huge page on x86-64 and arm64 (4 KiB base pages).
    static let granule = 2 << 20

    private struct Block {
        var address: UInt
        var size: Int
    }

    private struct State {
        var kept: [Block] = []
        var inUse = 0
        var peak = 0
    }

    private let state = Mutex(State())

    /// The size of the block a hash of `bytes` gets.
    static func blockSize(for bytes: Int) -> Int {
        (bytes + granule - 1) / granule * granule
    }

    /// A block of at least `bytes`: a kept one of that block size, or a newly
    /// mapped one; nil when the kernel has no memory to map.
    func take(_ bytes: Int) -> UnsafeMutableRawPointer? {
        let size = Self.blockSize(for: bytes)
        let kept: UInt? = state.withLock { state in
            state.inUse += 1
            state.peak = max(state.peak, state.inUse)
            guard let index = state.kept.lastIndex(where: { $0.size == size }) else { return nil }
            return state.kept.remove(at: index).address
        }
        if let kept { return UnsafeMutableRawPointer(bitPattern: kept) }
        if let mapped = Self.map(size) { return mapped }
        state.withLock { $0.inUse -= 1 }
        return nil
    }

    /// Takes back a block that `take(bytes)` handed out, to keep; unmaps the
    /// oldest kept blocks beyond the peak in use.
    func give(_ block: UnsafeMutableRawPointer, bytes: Int) {
        let size = Self.blockSize(for: bytes)
        let unneeded: [Block] = state.withLock { state in
            state.inUse -= 1
            state.kept.append(Block(address: UInt(bitPattern: block), size: size))
            let excess = state.kept.count + state.inUse - state.peak
            guard excess > 0 else { return [] }
            defer { state.kept.removeFirst(excess) }
            return Array(state.kept.prefix(excess))
        }
        for old in unneeded {
            munmap(UnsafeMutableRawPointer(bitPattern: old.address), old.size)
        }
    }

    /// The sizes of the kept blocks, oldest first (tests).
    var keptSizes: [Int] {
        state.withLock { $0.kept.map(\.size) }
    }

    /// The kept block of `size` handed out last, if any (tests).
    func keptBlock(ofSize size: Int) -> UnsafeRawBufferPointer? {
        state.withLock { state in
            state.kept.last(where: { $0.size == size }).map {
                UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: $0.address), count: $0.size)
            }
        }
    }

    /// Maps `size` bytes at a multiple of the granule (over-maps by one
    /// granule and unmaps the ends) and asks for huge pages; the advice is
    /// only advice, so its failure (a kernel without THP) is ignored.
    private static func map(_ size: Int) -> UnsafeMutableRawPointer? {
        guard let raw = mmap(nil, size + granule, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED else { return nil }
        let start = (UInt(bitPattern: raw) + UInt(granule - 1)) & ~UInt(granule - 1)
        let head = Int(start - UInt(bitPattern: raw))
        if head > 0 { munmap(raw, head) }
        munmap(UnsafeMutableRawPointer(bitPattern: start + UInt(size)), granule - head)  // the tail: never empty
        let block = UnsafeMutableRawPointer(bitPattern: start)
        _ = madvise(block, size, MADV_HUGEPAGE)
        return block
    }
}

/// libargon2's `allocate_cbk`: a block from ``Argon2WorkingMemory/shared``
/// (libargon2 reads a null block as its memory allocation error).
let argon2TakeBlock: allocate_fptr = { memory, bytes in
    let block = Argon2WorkingMemory.shared.take(bytes)
    memory?.pointee = block?.assumingMemoryBound(to: UInt8.self)
    return block == nil ? ARGON2_MEMORY_ALLOCATION_ERROR.rawValue : ARGON2_OK.rawValue
}

/// libargon2's `free_cbk`, called after libargon2 has wiped the block.
let argon2GiveBlock: deallocate_fptr = { memory, bytes in
    guard let memory else { return }
    Argon2WorkingMemory.shared.give(UnsafeMutableRawPointer(memory), bytes: bytes)
}
