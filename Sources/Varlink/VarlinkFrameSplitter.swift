import NIOCore

/// Splits the bytes a server reads into varlink messages (JSON, then a NUL byte),
/// without copying: each message is a slice of the buffer it arrived in.
///
/// The server's connection handler uses it directly instead of a
/// `ByteToMessageHandler`, which saves a pipeline hop and its bookkeeping per
/// call. Limits are those of ``VarlinkFrameDecoder``: a message, or data without
/// a NUL, longer than `maxMessageSize` is ``VarlinkMessageTooLargeError``.
struct VarlinkFrameSplitter {
    let maxMessageSize: Int
    /// Bytes received and not yet returned as messages.
    private var buffered: ByteBuffer?
    /// Bytes of `buffered` already searched for a NUL.
    private var scanned = 0

    init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    /// Adds bytes as read from the socket.
    mutating func append(_ bytes: ByteBuffer) {
        if buffered == nil {
            buffered = bytes
            scanned = 0
        } else {
            buffered!.writeImmutableBuffer(bytes)  // A message split across reads: the rare case.
        }
    }

    /// The next complete message (without its NUL), or nil until more bytes arrive.
    mutating func nextMessage() throws(VarlinkMessageTooLargeError) -> ByteBuffer? {
        guard var buffer = buffered else { return nil }
        buffered = nil  // `buffer` holds the only reference while it is sliced
        let from = scanned
        let nul = buffer.withUnsafeReadableBytes { raw in
            raw[from...].firstIndex(of: 0)
        }
        guard let nul else {
            scanned = buffer.readableBytes
            if buffer.readableBytes > maxMessageSize { throw VarlinkMessageTooLargeError(limit: maxMessageSize) }
            if buffer.readableBytes > 0 { buffered = buffer }
            return nil
        }
        if nul > maxMessageSize { throw VarlinkMessageTooLargeError(limit: maxMessageSize) }
        let message = buffer.readSlice(length: nul)!
        buffer.moveReaderIndex(forwardBy: 1)
        scanned = 0
        if buffer.readableBytes > 0 { buffered = buffer }
        return message
    }

    /// Whether bytes of a message without its NUL yet are buffered.
    var hasPartialMessage: Bool { (buffered?.readableBytes ?? 0) > 0 }

    /// How many bytes are buffered (for logs).
    var bufferedBytes: Int { buffered?.readableBytes ?? 0 }

    /// Forgets everything buffered (the connection is closing; an unterminated message is dropped).
    mutating func removeAll() {
        buffered = nil
        scanned = 0
    }
}
