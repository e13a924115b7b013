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
///
/// This class does the channel's I/O and arms the timers; every decision
/// (run, queue, read or not, close) is ``VarlinkConnectionState``'s, whose
/// transitions return what to do and are tested without a socket.
final class VarlinkServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let service: VarlinkService
    private let peer: PeerCredentials
    private let logger: Logger
    private var messages: VarlinkFrameSplitter
    /// Every decision about calls, backpressure, idleness and closing.
    private var state: VarlinkConnectionState
    private var context: ChannelHandlerContext?
    /// Reading stops while the waiting calls hold this many bytes (one largest message).
    static func maxPendingBytes(maxMessageSize: Int) -> Int { max(maxMessageSize, 64 * 1024) }
    /// Not writable for this long (the peer does not read its replies): the connection is closed.
    private let writeStallTimeout: TimeAmount?
    /// Where handler tasks run (nil: the cooperative pool).
    private let handlerExecutor: (any TaskExecutor)?
    private var idleCheck: Scheduled<Void>?
    /// Armed while the channel is not writable.
    private var stallCheck: Scheduled<Void>?
    /// Armed while a partial message is buffered.
    private var messageCheck: Scheduled<Void>?

    init(service: VarlinkService, peer: PeerCredentials, maxMessageSize: Int, maxPendingCalls: Int,
         idleTimeout: TimeAmount?, writeStallTimeout: TimeAmount?, messageTimeout: TimeAmount?,
         handlerExecutor: (any TaskExecutor)? = nil, logger: Logger) {
        self.service = service
        self.peer = peer
        self.messages = VarlinkFrameSplitter(maxMessageSize: maxMessageSize)
        self.state = VarlinkConnectionState(maxWaitingCalls: maxPendingCalls,
                                            maxWaitingBytes: Self.maxPendingBytes(maxMessageSize: maxMessageSize),
                                            idleTimeout: idleTimeout, messageTimeout: messageTimeout, now: .now())
        self.writeStallTimeout = writeStallTimeout
        self.handlerExecutor = handlerExecutor
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { armIdleCheck(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        if idleCheck == nil { armIdleCheck(context: context) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        messages.append(unwrapInboundIn(data))
        var wrote = false
        var completed = false
        while let message = nextMessage(context: context) {
            completed = true
            guard case .process(let message) = state.received(message, writable: context.channel.isWritable) else {
                continue
            }
            // Nothing waits (the usual case): answer this call at once, without queueing it.
            guard context.channel.isActive else { return }
            wrote = process(message, context: context) || wrote
        }
        if wrote { context.flush() }
        notePartialMessage(context: context, completed: completed)
        if !state.waiting.isEmpty { drain(context: context) }
        updateReading(context: context)
        if state.shouldClose { context.close(promise: nil) }
    }

    /// Arms the message timer when an unterminated message is left buffered, cancels it when none is.
    private func notePartialMessage(context: ChannelHandlerContext, completed: Bool) {
        guard state.messageTimeout != nil, context.channel.isActive else { return }
        guard let deadline = state.partialMessage(buffered: messages.hasPartialMessage, completed: completed,
                                                  now: .now()) else {
            messageCheck?.cancel()
            messageCheck = nil
            return
        }
        if messageCheck == nil { scheduleMessageCheck(context: context, deadline: deadline) }
    }

    private func scheduleMessageCheck(context: ChannelHandlerContext, deadline: NIODeadline) {
        messageCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.messageCheck = nil
            self.checkMessage(context: context)
        }
    }

    /// Closes the connection if the buffered partial message is older than the message timeout.
    private func checkMessage(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        switch state.messageTimerFired(buffered: messages.hasPartialMessage, now: .now()) {
        case .close:
            logger.notice("closing varlink connection: a message did not arrive whole within the message timeout",
                          metadata: ["peer.pid": "\(peer.pid)", "timeout": "\(state.messageTimeout.map { "\($0)" } ?? "")",
                                     "buffered_bytes": "\(messages.bufferedBytes)"])
            state.dropWaiting()
            messages.removeAll()
            context.close(promise: nil)
        case .reschedule(let deadline):
            scheduleMessageCheck(context: context, deadline: deadline)
        case .nothing:
            break
        }
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
        state.readComplete(now: .now())
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        switch state.writabilityChanged(writable: context.channel.isWritable, now: .now()) {
        case .drain:
            stallCheck?.cancel()
            stallCheck = nil
            drain(context: context)
        case .nothing:
            stallCheck?.cancel()
            stallCheck = nil
        case .armStallTimer:
            if stallCheck == nil, let timeout = writeStallTimeout {
                stallCheck = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                    self.stallCheck = nil
                    guard context.channel.isActive, !context.channel.isWritable else { return }
                    self.logger.notice("closing varlink connection: the peer has not read its replies",
                                       metadata: ["peer.pid": "\(self.peer.pid)",
                                                  "waiting_calls": "\(self.state.waiting.count)",
                                                  "timeout": "\(timeout)"])
                    self.state.dropWaiting()
                    context.close(promise: nil)
                }
            }
        }
        updateReading(context: context)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.dropWaiting()
        messages.removeAll()
        cancelTimers()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("closing varlink connection", metadata: ["reason": "\(error)", "peer.pid": "\(peer.pid)"])
        state.dropWaiting()
        messages.removeAll()
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is VarlinkQuiesceEvent:
            let close = state.quiesce()
            updateReading(context: context)
            if close { context.close(promise: nil) }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Arms the first idle check, one idle timeout from now (nothing without a timeout).
    private func armIdleCheck(context: ChannelHandlerContext) {
        guard let timeout = state.idleTimeout else { return }
        scheduleIdleCheck(context: context, deadline: .now() + timeout)
    }

    private func cancelTimers() {
        idleCheck?.cancel()
        idleCheck = nil
        stallCheck?.cancel()
        stallCheck = nil
        messageCheck?.cancel()
        messageCheck = nil
    }

    /// Turns reading on or off as ``VarlinkConnectionState/readingChange(writable:)`` decides.
    private func updateReading(context: ChannelHandlerContext) {
        guard let read = state.readingChange(writable: context.channel.isWritable) else { return }
        context.channel.setOption(ChannelOptions.autoRead, value: read).whenComplete { _ in }
    }

    /// Processes waiting calls until one needs to wait for a Task or the peer stops reading
    /// replies (channel not writable), then flushes once.
    private func drain(context: ChannelHandlerContext) {
        guard state.startDraining() else { return }
        var wrote = false
        loop: while true {
            guard context.channel.isActive else { state.dropWaiting(); break }
            switch state.next(writable: context.channel.isWritable, wroteUnflushed: wrote) {
            case .process(let message):
                wrote = process(message, context: context) || wrote
            case .flush:
                context.flush()
                wrote = false
                // Resumed by channelWritabilityChanged if the peer still has not caught up.
                if !context.channel.isWritable { break loop }
            case .stop:
                break loop
            }
        }
        if wrote { context.flush() }
        state.stopDraining()
        updateReading(context: context)
        if state.shouldClose { context.close(promise: nil) }
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
            state.dropWaiting()
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

    /// Runs a handler in a Task (on ``handlerExecutor`` if set); the connection
    /// waits (buffering later calls) until it finishes.
    private func startTask(call: VarlinkCall, context: ChannelHandlerContext,
                           _ operation: @escaping @Sendable () async throws -> [String: JSONValue]) {
        state.taskStarted()
        let eventLoop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: eventLoop)
        Task(executorPreference: handlerExecutor) {
            let result: Result<[String: JSONValue], any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            eventLoop.execute { handler.value.finishTask(result, call: call) }
        }
    }

    private func finishTask(_ result: Result<[String: JSONValue], any Error>, call: VarlinkCall) {
        state.taskFinished(now: .now())
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

    /// Arms the idle check to run at `deadline`.
    private func scheduleIdleCheck(context: ChannelHandlerContext, deadline: NIODeadline) {
        idleCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.checkIdle(context: context)
        }
    }

    /// Closes the connection if nothing happened for the idle timeout (see
    /// ``VarlinkConnectionState/idleTimerFired(now:writable:)``); otherwise checks again later.
    private func checkIdle(context: ChannelHandlerContext) {
        idleCheck = nil
        guard context.channel.isActive else { return }
        switch state.idleTimerFired(now: .now(), writable: context.channel.isWritable) {
        case .close:
            logger.debug("closing idle varlink connection", metadata: ["peer.pid": "\(peer.pid)"])
            context.close(promise: nil)
        case .reschedule(let deadline):
            scheduleIdleCheck(context: context, deadline: deadline)
        case .nothing:
            break
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
