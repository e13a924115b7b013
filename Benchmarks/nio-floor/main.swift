import Foundation
import NIOCore
import NIOPosix

/// The least a SwiftNIO server does per varlink call: for `Benchmarks/nio_floor_bench.py`.
///
/// Listens on a Unix socket with riegeld's event-loop setup (one loop per
/// core, `System.coreCount`) and answers every NUL-terminated message with one
/// fixed reply of riegeld's CheckSession reply size, without reading the
/// message: no JSON, no routing, no session table. Its CPU per call is what
/// NIO and the kernel cost for one read and one write, the floor under any
/// handler riegeld could run on NIO.
///
/// Usage: nio-floor SOCKET_PATH REPLY_BYTES
final class FixedReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let reply: ByteBuffer

    init(reply: ByteBuffer) {
        self.reply = reply
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        // One reply per NUL seen; a message split across reads ends in a later one.
        let messages = bytes.readableBytesView.lazy.filter { $0 == 0 }.count
        for _ in 0..<messages {
            context.write(wrapOutboundOut(reply), promise: nil)
        }
        if messages > 0 { context.flush() }
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let size = Int(arguments[2]), size > 1 else {
    FileHandle.standardError.write(Data("usage: nio-floor SOCKET_PATH REPLY_BYTES\n".utf8))
    exit(2)
}
let path = arguments[1]
try? FileManager.default.removeItem(atPath: path)
var reply = ByteBufferAllocator().buffer(capacity: size)
reply.writeString("{\"parameters\":{\"session\":{\"user_id\":\"")
reply.writeRepeatingByte(UInt8(ascii: "x"), count: max(0, size - reply.readableBytes - 5))
reply.writeString("\"}}}\0")
let fixedReply = reply
let server = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(FixedReplyHandler(reply: fixedReply))
        }
    }
    .bind(unixDomainSocketPath: path)
    .wait()
FileHandle.standardOutput.write(Data("listening \(path) reply bytes \(fixedReply.readableBytes)\n".utf8))
try server.closeFuture.wait()
