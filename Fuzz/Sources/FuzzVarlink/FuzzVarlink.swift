import NIOCore
import RiegelRPC
@testable import Varlink

/// Fuzzes what a peer's bytes go through before any riegel handler runs:
/// ``VarlinkFrameSplitter`` (fed in chunks whose sizes come from the input),
/// ``VarlinkCallEnvelope`` parsing, routing and IDL parameter validation
/// against riegel's three interfaces, and ``JSONValue/parse(_:maxDepth:)``.
///
/// Oracles besides "no crash, no sanitizer report": every JSON value the
/// parser accepts serializes to text that parses back to the same value, and
/// a message the splitter returns never holds a NUL or exceeds its limit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVarlink(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    checkJSONRoundTrip(bytes)
    splitAndRoute(bytes)
    return 0
}

/// A small limit, so the fuzzer reaches the too-large paths with short inputs.
private let maxMessageSize = 512

private let service: VarlinkService = {
    var service = VarlinkService(vendor: "riegel", product: "fuzz", version: "0", url: "")
    for interface in RiegelIDL.interfaces {
        // No handlers: routing and validation run, nothing is executed.
        try! service.register(interfaceDescription: interface.description, methods: [:])
    }
    return service
}()

private let peer = PeerCredentials(pid: 1, uid: 0, gid: 0, groups: [])

private func checkJSONRoundTrip(_ bytes: [UInt8]) {
    guard let value = try? JSONValue.parse(bytes) else { return }
    let text = value.serializedBytes()
    guard let again = try? JSONValue.parse(text) else {
        fatalError("serialized JSON does not parse: \(String(decoding: text, as: UTF8.self))")
    }
    guard again == value else {
        fatalError("JSON round trip changed the value: \(value) became \(again)")
    }
}

private func splitAndRoute(_ bytes: [UInt8]) {
    var splitter = VarlinkFrameSplitter(maxMessageSize: maxMessageSize)
    let allocator = ByteBufferAllocator()
    var offset = 0
    var chunk = 1
    while offset < bytes.count {
        // Chunk sizes vary with the data so messages split across reads at many places.
        chunk = (chunk &* 31 &+ Int(bytes[offset])) % 97 + 1
        let end = min(bytes.count, offset + chunk)
        var buffer = allocator.buffer(capacity: end - offset)
        buffer.writeBytes(bytes[offset..<end])
        splitter.append(buffer)
        offset = end
        while true {
            let message: ByteBuffer?
            do { message = try splitter.nextMessage() } catch { return }  // The connection would close.
            guard let message else { break }
            precondition(message.readableBytes <= maxMessageSize, "splitter returned a message over the limit")
            precondition(!message.readableBytesView.contains(0), "splitter returned a message holding a NUL")
            guard let envelope = try? VarlinkCallEnvelope.parse(message) else { return }  // Closes the connection.
            _ = try? service.route(envelope, peer: peer)
        }
    }
}

@_silgen_name("__lsan_disable") private func lsanDisable()
@_silgen_name("__lsan_enable") private func lsanEnable()

/// Builds the long-lived state before fuzzing starts, with LeakSanitizer looking
/// away: Swift stores some pointers with tag bits set (enum payloads), so LSan
/// takes objects reachable only from such globals for leaks. Leaks made while
/// running an input are still reported.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    lsanDisable()
    _ = service.interfaceNames
    lsanEnable()
    return 0
}
