import NIOCore

/// What one varlink connection is doing, and what the handler must do next.
///
/// ``VarlinkServerConnectionHandler`` owns the socket and the timers; this
/// type owns every decision: whether a received call runs at once or waits,
/// which waiting call runs next, when reading stops and resumes
/// (backpressure), when the connection is idle, when a slow message or a
/// quiesced connection closes. Each transition takes the facts the channel
/// knows (writable, time) and returns an action, so it is tested without a
/// socket (as hummingbird's `HTTPConnectionStateHandler.StateMachine` is).
struct VarlinkConnectionState {
    /// Calls received while another was running or the peer was not reading, in order.
    private(set) var waiting = CircularBuffer<ByteBuffer>()
    /// Bytes of the calls in ``waiting``.
    private(set) var waitingBytes = 0
    /// Whether a call runs in a Task (later calls wait, so replies keep call order).
    private(set) var running = false
    /// Whether the connection was asked to finish its calls and close.
    private(set) var quiescing = false
    /// Whether waiting calls are being processed (guards re-entry through a flush).
    private(set) var draining = false
    /// Whether the socket is read (autoRead).
    private(set) var reading = true
    /// When the peer last sent something, took replies, or a call last finished.
    private(set) var lastActivity: NIODeadline
    /// Since when the unterminated message now buffered has been arriving (nil: none).
    private(set) var partialSince: NIODeadline?

    /// Reading stops while this many calls wait.
    let maxWaitingCalls: Int
    /// Reading stops while the waiting calls hold this many bytes.
    let maxWaitingBytes: Int
    /// Without activity for this long, the connection closes.
    let idleTimeout: TimeAmount?
    /// A message that has begun arriving must be complete within this long.
    let messageTimeout: TimeAmount?

    init(maxWaitingCalls: Int, maxWaitingBytes: Int, idleTimeout: TimeAmount?, messageTimeout: TimeAmount?,
         now: NIODeadline) {
        self.maxWaitingCalls = max(1, maxWaitingCalls)
        self.maxWaitingBytes = maxWaitingBytes
        self.idleTimeout = idleTimeout
        self.messageTimeout = messageTimeout
        self.lastActivity = now
    }

    // MARK: - calls

    /// What to do with a call that was just received.
    enum ReceivedAction: Equatable {
        /// Process it now: nothing runs or waits and the peer reads its replies.
        case process(ByteBuffer)
        /// It waits behind a running call, waiting calls or unread replies.
        case wait
    }

    /// A complete call arrived; `writable`: the peer is taking its replies.
    mutating func received(_ message: ByteBuffer, writable: Bool) -> ReceivedAction {
        if !running && waiting.isEmpty && writable { return .process(message) }
        waiting.append(message)
        waitingBytes += message.readableBytes
        return .wait
    }

    /// Starts processing waiting calls; false if that is already under way
    /// (a flush inside the loop made the channel writable again).
    mutating func startDraining() -> Bool {
        guard !draining else { return false }
        draining = true
        return true
    }

    /// Stops processing waiting calls.
    mutating func stopDraining() {
        draining = false
    }

    /// What the drain loop does next.
    enum NextAction: Equatable {
        /// Process this waiting call.
        case process(ByteBuffer)
        /// Flush what was written, then ask again (the peer may take it).
        case flush
        /// Stop: a call runs, none waits, or the peer must read first.
        case stop
    }

    /// The next step of processing waiting calls; `wroteUnflushed`: replies
    /// were written since the last flush.
    mutating func next(writable: Bool, wroteUnflushed: Bool) -> NextAction {
        guard !running, !waiting.isEmpty else { return .stop }
        guard writable else { return wroteUnflushed ? .flush : .stop }
        let message = waiting.removeFirst()
        waitingBytes -= message.readableBytes
        return .process(message)
    }

    /// A call went to a Task; later calls wait until ``taskFinished(now:)``.
    mutating func taskStarted() {
        running = true
    }

    /// The running call finished.
    mutating func taskFinished(now: NIODeadline) {
        running = false
        lastActivity = now
    }

    /// Whether the connection should close now: quiescing with nothing running or waiting.
    var shouldClose: Bool { quiescing && !running && waiting.isEmpty }

    /// Drops every waiting call (the connection closes).
    mutating func dropWaiting() {
        waiting.removeAll()
        waitingBytes = 0
    }

    // MARK: - backpressure

    /// The new autoRead value if reading must change, else nil: reading stops
    /// at `maxWaitingCalls` waiting calls (or `maxWaitingBytes`) and resumes
    /// below half of it, stops while the peer does not take replies, and
    /// stops for good once quiescing.
    mutating func readingChange(writable: Bool) -> Bool? {
        let full = waiting.count >= (reading ? maxWaitingCalls : max(1, maxWaitingCalls / 2))
            || waitingBytes >= maxWaitingBytes
        let read = !quiescing && writable && !full
        guard read != reading else { return nil }
        reading = read
        return read
    }

    /// What to do when the channel's writability changed.
    enum WritabilityAction: Equatable {
        /// The peer took replies: process waiting calls.
        case drain
        /// The peer stopped taking replies: arm the write-stall timer.
        case armStallTimer
        /// Nothing (a drain is under way and resumes by itself).
        case nothing
    }

    mutating func writabilityChanged(writable: Bool, now: NIODeadline) -> WritabilityAction {
        guard writable else { return .armStallTimer }
        lastActivity = now
        return draining ? .nothing : .drain
    }

    /// The peer sent bytes.
    mutating func readComplete(now: NIODeadline) {
        lastActivity = now
    }

    // MARK: - quiescing

    /// The server stops: finish what was received, then close. Returns
    /// whether to close now.
    mutating func quiesce() -> Bool {
        quiescing = true
        return shouldClose
    }

    // MARK: - timers

    /// What an expired timer leads to.
    enum TimerAction: Equatable {
        /// Close the connection.
        case close
        /// Check again at this time.
        case reschedule(NIODeadline)
        /// Nothing more to check.
        case nothing
    }

    /// The idle timer fired. A call running for a peer that reads its replies
    /// (a long stream) is not idle; calls waiting behind unread replies do not
    /// keep the connection open.
    func idleTimerFired(now: NIODeadline, writable: Bool) -> TimerAction {
        guard let idleTimeout else { return .nothing }
        if running && writable { return .reschedule(now + idleTimeout) }
        if now - lastActivity < idleTimeout { return .reschedule(lastActivity + idleTimeout) }
        return .close
    }

    /// Whether the message clock runs after a read: it starts when an
    /// unterminated message is left buffered (anew after a message completed:
    /// what is left is the next one) and stops when none is. Returns the
    /// deadline to arm the message timer for, or nil to cancel it.
    mutating func partialMessage(buffered: Bool, completed: Bool, now: NIODeadline) -> NIODeadline? {
        guard let messageTimeout, buffered else {
            partialSince = nil
            return nil
        }
        if partialSince == nil || completed { partialSince = now }
        return partialSince.map { $0 + messageTimeout }
    }

    /// The message timer fired with a partial message still buffered (or not).
    /// While the server does not read, the peer cannot send: that time restarts the clock.
    mutating func messageTimerFired(buffered: Bool, now: NIODeadline) -> TimerAction {
        guard let messageTimeout, buffered, let since = partialSince else { return .nothing }
        if !reading {
            partialSince = now
            return .reschedule(now + messageTimeout)
        }
        if now - since >= messageTimeout { return .close }
        return .reschedule(since + messageTimeout)
    }
}
