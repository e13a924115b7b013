import Logging
import NIOCore

/// Asks a connection to finish its in-flight and already received calls, then close.
struct VarlinkQuiesceEvent: Sendable {}

/// Serves varlink calls on one connection, strictly in order.
///
/// It reads the socket's bytes itself and splits them into messages
/// (``VarlinkFrameSplitter``). Calls are processed one at a time: while an
/// `async`/`streaming` handler runs, later calls are buffered, so replies always
/// come back in call order. `immediate` handlers run right here on the event loop.
///
/// Backpressure: a call is processed only while the channel is writable (its
/// outgoing buffer is below the high-water mark), and reading stops while it is
/// not, or while `maxPendingCalls` calls (or ``maxPendingBytes(maxMessageSize:)``)
/// wait. So a peer that sends calls without reading the replies makes riegeld
/// hold a bounded amount for it, and the connection is closed once it has not
/// read for `writeStallTimeout`, whatever is still queued. A peer that sends a
/// message slowly (slowloris) is closed once its message is older than
/// `messageTimeout`.
final class VarlinkServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let service: VarlinkService
    private let peer: PeerCredentials
    private let logger: Logger
    private var messages: VarlinkFrameSplitter
    private var pending = CircularBuffer<ByteBuffer>()
    /// Bytes of the messages in `pending`.
    private var pendingBytes = 0
    private var busy = false
    private var quiescing = false
    private var draining = false
    private var context: ChannelHandlerContext?
    /// Reading stops while this many calls wait, so a client that pipelines without
    /// reading replies cannot make the server buffer without bound.
    private let maxPendingCalls: Int
    /// Reading stops while the waiting calls hold this many bytes (one largest message).
    static func maxPendingBytes(maxMessageSize: Int) -> Int { max(maxMessageSize, 64 * 1024) }
    private let maxPendingBytes: Int
    /// Whether reading is on (autoRead); off while the peer must catch up.
    private var reading = true
    /// Without activity for this long (see ``checkIdle(context:timeout:)``), the connection is closed.
    private let idleTimeout: TimeAmount?
    /// Not writable for this long (the peer does not read its replies): the connection is closed.
    private let writeStallTimeout: TimeAmount?
    /// When the peer last sent something or a call last finished.
    private var lastActivity = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?
    /// Armed while the channel is not writable.
    private var stallCheck: Scheduled<Void>?
    /// A message that has begun arriving must be complete within this long.
    private let messageTimeout: TimeAmount?
    /// Since when the unterminated message now buffered has been arriving (nil: none).
    private var partialSince: NIODeadline?
    /// Armed while a partial message is buffered.
    private var messageCheck: Scheduled<Void>?

    init(service: VarlinkService, peer: PeerCredentials, maxMessageSize: Int, maxPendingCalls: Int,
         idleTimeout: TimeAmount?, writeStallTimeout: TimeAmount?, messageTimeout: TimeAmount?, logger: Logger) {
        self.service = service
        self.peer = peer
        self.messages = VarlinkFrameSplitter(maxMessageSize: maxMessageSize)
        self.maxPendingBytes = Self.maxPendingBytes(maxMessageSize: maxMessageSize)
        self.maxPendingCalls = max(1, maxPendingCalls)
        self.idleTimeout = idleTimeout
        self.writeStallTimeout = writeStallTimeout
        self.messageTimeout = messageTimeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { scheduleIdleCheck(context: context, at: .now()) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        if idleCheck == nil { scheduleIdleCheck(context: context, at: .now()) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        messages.append(unwrapInboundIn(data))
        var wrote = false
        var completed = false
        while let message = nextMessage(context: context) {
            completed = true
            if !busy && pending.isEmpty && context.channel.isWritable {
                // Nothing waits (the usual case): answer this call at once, without queueing it.
                guard context.channel.isActive else { return }
                wrote = process(message, context: context) || wrote
            } else {
                pending.append(message)
                pendingBytes += message.readableBytes
            }
        }
        if wrote { context.flush() }
        notePartialMessage(context: context, completed: completed)
        if !pending.isEmpty { drain(context: context) }
        updateReading(context: context)
        if quiescing && !busy && pending.isEmpty { context.close(promise: nil) }
    }

    /// Starts the message clock when an unterminated message is left buffered (anew
    /// after a message completed: what is left is the next one), stops it when none is.
    private func notePartialMessage(context: ChannelHandlerContext, completed: Bool) {
        guard let timeout = messageTimeout, context.channel.isActive else { return }
        guard messages.hasPartialMessage else {
            partialSince = nil
            messageCheck?.cancel()
            messageCheck = nil
            return
        }
        if partialSince == nil || completed { partialSince = .now() }
        if messageCheck == nil { scheduleMessageCheck(context: context, timeout: timeout) }
    }

    private func scheduleMessageCheck(context: ChannelHandlerContext, timeout: TimeAmount) {
        guard let since = partialSince else { return }
        messageCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: since + timeout) {
            self.messageCheck = nil
            self.checkMessage(context: context, timeout: timeout)
        }
    }

    /// Closes the connection if the buffered partial message is older than `timeout`.
    /// While the server is not reading (it waits for the peer to take replies, or for
    /// queued calls), the peer cannot send: that time restarts the clock.
    private func checkMessage(context: ChannelHandlerContext, timeout: TimeAmount) {
        guard context.channel.isActive, messages.hasPartialMessage, let since = partialSince else { return }
        let now = NIODeadline.now()
        if !reading {
            partialSince = now
        } else if now - since >= timeout {
            logger.notice("closing varlink connection: a message did not arrive whole within the message timeout",
                          metadata: ["peer.pid": "\(peer.pid)", "timeout": "\(timeout)",
                                     "buffered_bytes": "\(messages.bufferedBytes)"])
            pending.removeAll()
            pendingBytes = 0
            messages.removeAll()
            context.close(promise: nil)
            return
        }
        scheduleMessageCheck(context: context, timeout: timeout)
    }

    /// The next complete message read, if any; closes the connection on one that is too large.
    private func nextMessage(context: ChannelHandlerContext) -> ByteBuffer? {
        do {
            return try messages.nextMessage()
        } catch {
            errorCaught(context: context, error: error)
            return nil
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        lastActivity = .now()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stallCheck?.cancel()
            stallCheck = nil
            lastActivity = .now()
            if !draining { drain(context: context) }
        } else if stallCheck == nil, let timeout = writeStallTimeout {
            stallCheck = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                self.stallCheck = nil
                guard context.channel.isActive, !context.channel.isWritable else { return }
                self.logger.notice("closing varlink connection: the peer has not read its replies",
                                   metadata: ["peer.pid": "\(self.peer.pid)", "waiting_calls": "\(self.pending.count)",
                                              "timeout": "\(timeout)"])
                self.pending.removeAll()
                self.pendingBytes = 0
                context.close(promise: nil)
            }
        }
        updateReading(context: context)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending.removeAll()
        pendingBytes = 0
        messages.removeAll()
        cancelTimers()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("closing varlink connection", metadata: ["reason": "\(error)", "peer.pid": "\(peer.pid)"])
        pending.removeAll()
        pendingBytes = 0
        messages.removeAll()
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is VarlinkQuiesceEvent:
            quiescing = true
            updateReading(context: context)
            if !busy && pending.isEmpty { context.close(promise: nil) }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func cancelTimers() {
        idleCheck?.cancel()
        idleCheck = nil
        stallCheck?.cancel()
        stallCheck = nil
        messageCheck?.cancel()
        messageCheck = nil
    }

    /// Reads while the peer keeps up: the channel is writable and few calls wait.
    /// Stops at `maxPendingCalls` waiting calls and resumes below half of it.
    private func updateReading(context: ChannelHandlerContext) {
        let full = pending.count >= (reading ? maxPendingCalls : max(1, maxPendingCalls / 2))
            || pendingBytes >= maxPendingBytes
        let read = !quiescing && context.channel.isWritable && !full
        guard read != reading else { return }
        reading = read
        context.channel.setOption(ChannelOptions.autoRead, value: read).whenComplete { _ in }
    }

    /// Processes buffered calls until one needs to wait for a Task or the peer stops reading
    /// replies (channel not writable), then flushes once.
    private func drain(context: ChannelHandlerContext) {
        draining = true
        var wrote = false
        while !busy, !pending.isEmpty {
            guard context.channel.isActive else { pending.removeAll(); pendingBytes = 0; break }
            if !context.channel.isWritable {
                guard wrote else { break }  // Resumed by channelWritabilityChanged.
                context.flush()
                wrote = false
                if !context.channel.isWritable { break }
            }
            let message = pending.removeFirst()
            pendingBytes -= message.readableBytes
            wrote = process(message, context: context) || wrote
        }
        if wrote { context.flush() }
        draining = false
        updateReading(context: context)
        if quiescing && !busy && pending.isEmpty { context.close(promise: nil) }
    }

    /// Handles one message; returns whether a reply was written.
    private func process(_ frame: ByteBuffer, context: ChannelHandlerContext) -> Bool {
        let flags: VarlinkCallFlags
        let route: VarlinkRoute
        do {
            let message = try VarlinkCallEnvelope.parse(frame)
            (flags, route) = try service.route(message, peer: peer)
        } catch {
            logger.debug("closing varlink connection after invalid message",
                         metadata: ["reason": "\(error)", "peer.pid": "\(peer.pid)"])
            pending.removeAll()
            pendingBytes = 0
            context.close(promise: nil)
            return false
        }
        switch route {
        case .reply(let parameters):
            guard !flags.oneway else { return false }
            context.write(wrapOutboundOut(Self.reply(parameters, continues: false, allocator: context.channel.allocator)), promise: nil)
            return true
        case .failure(let error):
            guard !flags.oneway else { return false }
            context.write(wrapOutboundOut(Self.errorReply(error, allocator: context.channel.allocator)), promise: nil)
            return true
        case .handler(let call, let handler):
            switch handler {
            case .immediate(let body):
                let result: Result<[String: JSONValue], any Error>
                do {
                    result = .success(try body(call))
                } catch let continuation as VarlinkContinueInTask {
                    startTask(call: call, context: context, continuation.operation)
                    return false
                } catch {
                    result = .failure(error)
                }
                return writeFinal(result, call: call, context: context)
            case .immediateWriting(let body):
                // The writer owns the only reference to the buffer, so appending never copies it.
                var writer = JSONObjectWriter(buffer: Self.replyPrefix(allocator: context.channel.allocator))
                do {
                    try body(call, &writer)
                } catch let continuation as VarlinkContinueInTask {
                    startTask(call: call, context: context, continuation.operation)
                    return false
                } catch {
                    return writeFinal(.failure(error), call: call, context: context)
                }
                guard !call.oneway else { return false }
                var buffer = writer.finish()
                buffer.writeStaticString("}\0")
                context.write(wrapOutboundOut(buffer), promise: nil)
                return true
            case .async(let body):
                startTask(call: call, context: context) { try await body(call) }
                return false
            case .streaming(_, let body):
                let channel = context.channel
                let sink = VarlinkReplySink { parameters in
                    guard call.more else { return }
                    try await channel.writeAndFlush(Self.reply(parameters, continues: true, allocator: channel.allocator)).get()
                }
                startTask(call: call, context: context) { try await body(call, sink) }
                return false
            }
        }
    }

    /// Runs a handler in a Task; the connection waits (buffering later calls) until it finishes.
    private func startTask(call: VarlinkCall, context: ChannelHandlerContext,
                           _ operation: @escaping @Sendable () async throws -> [String: JSONValue]) {
        busy = true
        let eventLoop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: eventLoop)
        Task {
            let result: Result<[String: JSONValue], any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            eventLoop.execute { handler.value.finishTask(result, call: call) }
        }
    }

    private func finishTask(_ result: Result<[String: JSONValue], any Error>, call: VarlinkCall) {
        busy = false
        lastActivity = .now()
        guard let context else { return }
        if writeFinal(result, call: call, context: context) { context.flush() }
        drain(context: context)
    }

    /// Writes the final reply (or error) of a call unless it is oneway; logs unexpected errors.
    private func writeFinal(_ result: Result<[String: JSONValue], any Error>, call: VarlinkCall,
                            context: ChannelHandlerContext) -> Bool {
        let buffer: ByteBuffer
        switch result {
        case .success(let parameters):
            guard !call.oneway else { return false }
            buffer = Self.reply(parameters, continues: false, allocator: context.channel.allocator)
        case .failure(let error as VarlinkError):
            guard !call.oneway else { return false }
            buffer = Self.errorReply(error, allocator: context.channel.allocator)
        case .failure(let error):
            logger.error("varlink method failed", metadata: ["method": "\(call.qualifiedMethod)", "error": "\(error)"])
            guard !call.oneway else { return false }
            buffer = Self.errorReply(service.mapError(error), allocator: context.channel.allocator)
        }
        context.write(wrapOutboundOut(buffer), promise: nil)
        return true
    }

    /// Arms the idle check to run `idleTimeout` after `from` (nothing if there is no timeout).
    private func scheduleIdleCheck(context: ChannelHandlerContext, at from: NIODeadline) {
        guard let timeout = idleTimeout else { return }
        idleCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: from + timeout) {
            self.checkIdle(context: context, timeout: timeout)
        }
    }

    /// Closes the connection if nothing happened for `timeout` (nothing read, no call finished,
    /// no reply taken by the peer) unless a call is running for a peer that reads its replies;
    /// calls waiting behind unread replies do not keep it open. Otherwise checks again later.
    private func checkIdle(context: ChannelHandlerContext, timeout: TimeAmount) {
        idleCheck = nil
        guard context.channel.isActive else { return }
        let now = NIODeadline.now()
        if busy && context.channel.isWritable {
            // A call still running (a long stream) with a peer that reads: not idle.
            scheduleIdleCheck(context: context, at: now)
        } else if now - lastActivity < timeout {
            scheduleIdleCheck(context: context, at: lastActivity)
        } else {
            logger.debug("closing idle varlink connection", metadata: ["peer.pid": "\(peer.pid)"])
            context.close(promise: nil)
        }
    }

    /// A new reply buffer holding `{"parameters":`.
    static func replyPrefix(allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 256)
        buffer.writeStaticString("{\"parameters\":")
        return buffer
    }

    static func reply(_ parameters: [String: JSONValue], continues: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 128)
        buffer.writeStaticString("{\"parameters\":")
        buffer.writeJSONObject(parameters)
        if continues { buffer.writeStaticString(",\"continues\":true") }
        buffer.writeStaticString("}\0")
        return buffer
    }

    static func errorReply(_ error: VarlinkError, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 128)
        buffer.writeStaticString("{\"error\":")
        buffer.appendJSONString(error.name)
        buffer.writeStaticString(",\"parameters\":")
        buffer.writeJSONObject(error.parameters)
        buffer.writeStaticString("}\0")
        return buffer
    }
}
