import NIOCore

/// Splits the byte stream into varlink messages: each is JSON followed by a NUL byte.
///
/// A message (or unterminated data) longer than `maxMessageSize` fails the channel
/// with ``VarlinkMessageTooLargeError``, which closes the connection.
struct VarlinkFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maxMessageSize: Int
    /// Bytes already searched for NUL, so split messages are not rescanned.
    private var scanned = 0

    init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let nul = view[(view.startIndex + scanned)...].firstIndex(of: 0) else {
            scanned = view.count
            if view.count > maxMessageSize { throw VarlinkMessageTooLargeError(limit: maxMessageSize) }
            return .needMoreData
        }
        scanned = 0
        let length = nul - view.startIndex
        if length > maxMessageSize { throw VarlinkMessageTooLargeError(limit: maxMessageSize) }
        let frame = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData  // An unterminated trailing message is dropped.
    }
}

/// A peer sent a message larger than the configured limit.
public struct VarlinkMessageTooLargeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configured limit in bytes.
    public var limit: Int
    /// Explains the limit and how to raise it.
    public var description: String {
        "varlink message exceeds \(limit) bytes; send smaller messages or raise maxMessageSize"
    }
}
