import NIOCore
@testable import Varlink
import XCTest

/// Splitting read bytes into NUL-terminated messages, whatever the read boundaries.
final class VarlinkFrameSplitterTests: XCTestCase {
    private func drain(_ splitter: inout VarlinkFrameSplitter) throws -> [String] {
        var out: [String] = []
        while let message = try splitter.nextMessage() { out.append(String(buffer: message)) }
        return out
    }

    func testSeveralMessagesInOneReadComeOutInOrder() throws {
        var splitter = VarlinkFrameSplitter(maxMessageSize: 100)
        splitter.append(ByteBuffer(string: "a\0bb\0\0ccc\0"))
        XCTAssertEqual(try drain(&splitter), ["a", "bb", "", "ccc"])
        XCTAssertNil(try splitter.nextMessage())
    }

    func testAMessageSplitAcrossReadsAtEveryPointIsReassembled() throws {
        let stream = Array("{\"m\":1}\0{\"m\":22}\0tail".utf8)
        for cut1 in 0...stream.count {
            for cut2 in cut1...stream.count {
                var splitter = VarlinkFrameSplitter(maxMessageSize: 100)
                var got: [String] = []
                for part in [stream[..<cut1], stream[cut1..<cut2], stream[cut2...]] {
                    splitter.append(ByteBuffer(bytes: part))
                    got += try drain(&splitter)
                }
                XCTAssertEqual(got, ["{\"m\":1}", "{\"m\":22}"], "cuts at \(cut1), \(cut2)")
            }
        }
    }

    func testMessagesUpToTheLimitPassAndLongerOnesAreRefused() throws {
        var splitter = VarlinkFrameSplitter(maxMessageSize: 8)
        splitter.append(ByteBuffer(string: "12345678\0"))
        XCTAssertEqual(try drain(&splitter), ["12345678"])
        splitter.append(ByteBuffer(string: "123456789\0"))
        XCTAssertThrowsError(try splitter.nextMessage()) { XCTAssertEqual($0 as? VarlinkMessageTooLargeError, .init(limit: 8)) }
    }

    func testDataWithoutANulIsRefusedOnceItExceedsTheLimit() throws {
        var splitter = VarlinkFrameSplitter(maxMessageSize: 8)
        splitter.append(ByteBuffer(string: "12345678"))
        XCTAssertNil(try splitter.nextMessage(), "at the limit it may still end")
        splitter.append(ByteBuffer(string: "9"))
        XCTAssertThrowsError(try splitter.nextMessage())
    }

    func testRemoveAllDropsAnUnterminatedMessage() throws {
        var splitter = VarlinkFrameSplitter(maxMessageSize: 100)
        splitter.append(ByteBuffer(string: "done\0half"))
        XCTAssertEqual(try drain(&splitter), ["done"])
        splitter.removeAll()
        splitter.append(ByteBuffer(string: "new\0"))
        XCTAssertEqual(try drain(&splitter), ["new"])
    }

    func testMessagesStayIntactWhenTheReadBufferIsReused() throws {
        var splitter = VarlinkFrameSplitter(maxMessageSize: 100)
        var read = ByteBuffer(string: "one\0tw")
        splitter.append(read)
        let first = try XCTUnwrap(splitter.nextMessage())
        read.clear()
        read.writeString("o\0")  // the reader reuses its buffer; what was handed out must not change
        splitter.append(read)
        XCTAssertEqual(String(buffer: first), "one")
        XCTAssertEqual(try drain(&splitter), ["two"])
    }
}
