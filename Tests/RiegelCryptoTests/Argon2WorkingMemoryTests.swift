import Foundation
import Synchronization
@testable import RiegelCrypto
import XCTest

final class Argon2WorkingMemoryTests: XCTestCase {
    private let mib = 1 << 20

    /// A hash's block comes back wiped by libargon2 before it is kept. The
    /// memory size (m = 13 MiB + 8 KiB, a 14 MiB block) is this test's own, so
    /// other tests hashing at the same time keep no block of that size.
    func testAHashLeavesItsBlockWipedAndKept() throws {
        let memoryKiB: UInt32 = 13 * 1024 + 8
        let size = Argon2WorkingMemory.blockSize(for: Int(memoryKiB) * 1024)
        XCTAssertEqual(size, 14 * mib)
        let hash = { try Argon2idHasher.raw(Array("password".utf8), salt: Array("somesalt".utf8),
                                            memoryKiB: memoryKiB, iterations: 1, parallelism: 1, length: 32) }
        let first = try hash()
        let block = try XCTUnwrap(Argon2WorkingMemory.shared.keptBlock(ofSize: size), "the block is kept")
        XCTAssertNil(block.firstIndex(where: { $0 != 0 }), "no byte of the hash's memory is left in the kept block")

        // The next hash of that size hashes in it and gives the same answer as before.
        XCTAssertEqual(try hash(), first)
        XCTAssertEqual(Argon2WorkingMemory.shared.keptBlock(ofSize: size)?.baseAddress, block.baseAddress,
                       "the same block, not a new mapping")
    }

    /// Hashes of two sizes on four threads at once give the answers they give
    /// alone: no two running hashes ever share a block.
    func testConcurrentHashesOfTwoSizesGiveTheAnswersTheyGiveAlone() throws {
        let sizes: [UInt32] = [1024, 2 * 1024 + 8]  // KiB: a 2 MiB and a 4 MiB block
        let hash: @Sendable (UInt32, Int) throws -> [UInt8] = { memoryKiB, n in
            try Argon2idHasher.raw(Array("password-\(n)".utf8), salt: Array("somesalt".utf8), memoryKiB: memoryKiB,
                                   iterations: 1, parallelism: 1, length: 32)
        }
        var expected: [[UInt8]] = []
        for n in 0..<8 { expected.append(try hash(sizes[n % 2], n)) }
        let results = Mutex<[Int: [[UInt8]]]>([:])
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            var mine: [[UInt8]] = []
            for round in 0..<6 {
                let n = (thread + round) % 8
                mine.append((try? hash(sizes[n % 2], n)) ?? [])
            }
            results.withLock { $0[thread] = mine }
        }
        for thread in 0..<4 {
            let got = try XCTUnwrap(results.withLock { $0[thread] })
            for round in 0..<6 {
                XCTAssertEqual(got[round], expected[(thread + round) % 8], "thread \(thread), round \(round)")
            }
        }
    }

    func testABlockIsAlignedToAHugePageAndAskedForHugePages() throws {
        let memory = Argon2WorkingMemory()
        let block = try XCTUnwrap(memory.take(19 * mib))
        defer { memory.give(block, bytes: 19 * mib) }
        XCTAssertEqual(UInt(bitPattern: block) % UInt(Argon2WorkingMemory.granule), 0)
        let flags = try XCTUnwrap(Self.vmFlags(of: block), "a mapping in /proc/self/smaps holds the block")
        XCTAssertTrue(flags.contains("hg"), "MADV_HUGEPAGE was asked for: VmFlags \(flags)")
    }

    func testABlockIsTakenAgainOnlyForTheSameSize() throws {
        let memory = Argon2WorkingMemory()
        let first = try XCTUnwrap(memory.take(19 * mib))
        memory.give(first, bytes: 19 * mib)
        let again = try XCTUnwrap(memory.take(19 * mib + 4096))
        XCTAssertEqual(again, first, "19 MiB + 4 KiB fits the same 20 MiB block")
        memory.give(again, bytes: 19 * mib + 4096)
        let other = try XCTUnwrap(memory.take(3 * mib))
        XCTAssertNotEqual(other, first)
        XCTAssertEqual(memory.keptSizes, [20 * mib])
        memory.give(other, bytes: 3 * mib)
    }

    /// Kept and in-use blocks together never outnumber the peak in use: a
    /// hash of another size unmaps the oldest kept block when its own comes back.
    func testKeptBlocksNeverOutnumberThePeakInUse() throws {
        let memory = Argon2WorkingMemory()
        let a = try XCTUnwrap(memory.take(4 * mib))
        let b = try XCTUnwrap(memory.take(4 * mib))
        memory.give(a, bytes: 4 * mib)
        memory.give(b, bytes: 4 * mib)
        XCTAssertEqual(memory.keptSizes, [4 * mib, 4 * mib], "two were in use at once: both kept")

        let c = try XCTUnwrap(memory.take(6 * mib))
        XCTAssertEqual(memory.keptSizes, [4 * mib, 4 * mib])
        memory.give(c, bytes: 6 * mib)
        XCTAssertEqual(memory.keptSizes, [4 * mib, 6 * mib], "three blocks mapped, peak two: the oldest went")
        XCTAssertNil(Self.vmFlags(of: a), "the oldest block is unmapped")

        for size in [4 * mib, 6 * mib] {
            let block = try XCTUnwrap(memory.take(size))
            memory.give(block, bytes: size)
        }
        XCTAssertEqual(memory.keptSizes.count, 2)
    }

    /// The VmFlags of the mapping in /proc/self/smaps that holds `address`; nil when none does.
    private static func vmFlags(of address: UnsafeMutableRawPointer) -> String? {
        // Read to the end: String(contentsOfFile:) stops after the first read of a /proc file.
        guard let file = FileHandle(forReadingAtPath: "/proc/self/smaps"),
              let smaps = String(data: file.readDataToEndOfFile(), encoding: .utf8) else { return nil }
        let target = UInt(bitPattern: address)
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 1)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = bounds.count == 2 && bounds[0] <= target && target < bounds[1]
            } else if inside, line.hasPrefix("VmFlags:") {
                return String(line.dropFirst("VmFlags:".count))
            }
        }
        return nil
    }
}
